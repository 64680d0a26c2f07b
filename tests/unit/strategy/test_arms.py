"""Champion / challenger: a stable split by loan id, close to the configured share."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from faircollect.domain.strategy import CHALLENGER, CHAMPION, arm_for, arm_slot

IDS = [f"LN{i:08d}" for i in range(10_000)]


@pytest.mark.parametrize("share_bp", [1_000, 2_000, 5_000])
def test_split_is_close_to_the_share_on_10000_ids(share_bp: int) -> None:
    challengers = sum(arm_for(i, share_bp) == CHALLENGER for i in IDS)
    expected = len(IDS) * share_bp // 10_000
    assert abs(challengers - expected) < 0.1 * expected + 50


def test_zero_share_is_all_champion() -> None:
    assert {arm_for(i, 0) for i in IDS[:500]} == {CHAMPION}


def test_growing_the_share_only_moves_champions_to_the_challenger() -> None:
    small = {i for i in IDS if arm_for(i, 1_000) == CHALLENGER}
    large = {i for i in IDS if arm_for(i, 3_000) == CHALLENGER}
    assert small < large


def test_slots_do_not_depend_on_the_process_hash_seed() -> None:
    """Python's hash() changes per process; the arm must not."""
    code = (
        "from faircollect.domain.strategy import arm_slot;"
        "print(','.join(str(arm_slot(f'LN{i:08d}')) for i in range(20)))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join(sys.path)}
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        outputs.add(run.stdout.strip())
    here = ",".join(str(arm_slot(f"LN{i:08d}")) for i in range(20))
    assert outputs == {here}


def test_salt_separates_experiments() -> None:
    assert [arm_slot(i, "a") for i in IDS[:50]] != [arm_slot(i, "b") for i in IDS[:50]]
