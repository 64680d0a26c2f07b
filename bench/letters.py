"""Time to lay out a letter as a PDF (issue 14: under 200 ms), prepared font vs full font.

Each shipped kind (overdue notice, visit notice, lawyer letter) is screened and laid out
``--repeat`` times with the prepared letter face (``adapters.letter_font``; built into the
cache folder first if needed, its build time printed) and, as the baseline in the same
run, as before: from the full CJK face, fpdf2 measuring the glyphs' bounds again. With
``--seal PNG`` the lender's seal is stamped on too. Prints the best time per kind and
path and the ratio baseline / prepared. No database: the letter's facts are a fixed
overdue loan.

    .venv/bin/python bench/letters.py [--repeat 7] [--seal seal.png]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from faircollect.adapters.letter_font import NoCjkFont, cjk_font, full_font, prepare
from faircollect.adapters.letter_pdf import render_pdf
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.lender import LenderProfile
from faircollect.domain.letters import LetterFacts, LetterKind
from faircollect.services.letters import prepare as prepare_letter

AS_OF = date(2026, 9, 15)


def _state() -> AccountState:
    zero: dict[str, Any] = {
        f: 0
        for f in AccountState.__dataclass_fields__
        if f not in ("as_of", "bucket", "stage", "next_due_on")
    }
    figures = {"overdue_principal": 280_209, "overdue_interest": 1_234, "penalty": 555}
    return AccountState(
        **{
            **zero,
            **figures,
            "as_of": AS_OF,
            "dpd": 76,
            "bucket": "M3",
            "stage": "intensive",
            "next_due_on": None,
        }
    )


def _best(call: object, repeat: int) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(repeat):
        began = time.perf_counter()
        size = len(call())  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seal", type=Path, default=None, help="a PNG stamped as the seal")
    args = parser.parse_args()
    try:
        cjk_font()
    except NoCjkFont as err:
        print(f"letters: skipped ({err})")
        return
    began = time.perf_counter()
    prepared = prepare()
    print(f"letter face: {prepared.path} ({time.perf_counter() - began:.2f} s to find or build)")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    lender = LenderProfile(
        address="上海市浦东新区示例路 100 号",
        law_firm="示例律师事务所",
        seal=str(args.seal.resolve()) if args.seal else "",
    )
    full = full_font()
    print(
        f"{'kind':<16}{'full ms':>9}{'prepared ms':>13}{'ratio':>7}{'bytes':>8}   (target < 200 ms)"
    )
    for kind in LetterKind:
        letter = prepare_letter(LetterFacts(kind, "L1", "张三", AS_OF, _state(), False, lender))
        base, _ = _best(lambda letter=letter: render_pdf(letter, full, remeasure=True), args.repeat)
        fast, size = _best(lambda letter=letter: render_pdf(letter), args.repeat)
        print(
            f"{kind.value:<16}{base * 1000:>9.0f}{fast * 1000:>13.0f}{base / fast:>7.1f}{size:>8,}"
        )
    rare = prepare_letter(
        LetterFacts(LetterKind.OVERDUE_NOTICE, "L1", "王喆堃", AS_OF, _state(), False, lender)
    )
    slow, _ = _best(lambda: render_pdf(rare), max(1, args.repeat // 2))
    print(f"a name outside GB 2312 (王喆堃, full face): {slow * 1000:.0f} ms")


if __name__ == "__main__":
    main()
