"""``faircollect strategy validate`` and ``show`` driven in-process."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from faircollect.adapters.strategy_file import default_strategy_path
from faircollect.cli.app import app

runner = CliRunner()


def test_validate_default_prints_one_line_and_exits_0() -> None:
    result = runner.invoke(app, ["strategy", "validate", str(default_strategy_path())])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        "default.yaml: valid strategy 'default': 5 segments, 27 actions"
    ]


def test_validate_lists_every_mistake_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nsegments:\n  - name: s\n    stage: early\n    actions:\n"
        "      - {key: a, channel: fax, dpd: 1}\n      - {key: b, channel: call, dpd: 0}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["strategy", "validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:6: segments[0].actions[0].channel: unknown channel 'fax'" in result.output
    assert "bad.yaml:7: segments[0].actions[1].dpd: days must be at least 1" in result.output
    assert "2 error(s)" in result.output


def test_show_prints_thresholds_segments_and_challenger(tmp_path: Path) -> None:
    text = default_strategy_path().read_text(encoding="utf-8")
    rival = tmp_path / "rival.yaml"
    rival.write_text(text.replace("name: default", "name: gentle"), encoding="utf-8")
    main = tmp_path / "main.yaml"
    main.write_text(text + '\nchallenger:\n  share: "0.2"\n  file: rival.yaml\n', "utf-8")
    result = runner.invoke(app, ["strategy", "show", str(main)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "逾期前期 early DPD 1-30" in out and "legal DPD > 90" in out
    assert "intensive · intensive_default · all" in out
    assert "agency_placement" in out and "T-3, T-1" in out
    assert "Challenger (20% of accounts" in out and "策略 gentle (challenger)" in out


def test_show_defaults_to_the_shipped_strategy() -> None:
    result = runner.invoke(app, ["strategy", "show"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "策略 default (champion)" in result.output
