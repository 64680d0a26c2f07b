"""Read the plausibility bounds: the shipped ``limits.yaml``, then a lender's override file.

The override holds only the keys it changes; each mistake is reported with its line (a
``YamlFileError``, which is ``BadInput``). A bound may be raised or lowered, but never past
what the ledger can compute with (``domain.limits`` ceilings).
"""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from yaml.nodes import Node

from faircollect.adapters.input_files import read_text_file
from faircollect.adapters.yaml_reader import NodeReader, YamlFileError, YamlIssue
from faircollect.domain.limits import (
    COLUMN_MAX_FEN,
    MAX_FUTURE_DAYS,
    MAX_PAST_YEARS,
    SHIPPED,
    Limits,
)
from faircollect.domain.money import MoneyError, parse_yuan_text

LIMITS_VARIABLE = "FAIRCOLLECT_LIMITS"
_KEYS = (
    "amount_max",
    "annual_rate_max",
    "penalty_rate_daily_max",
    "past_years",
    "disbursed_on_future_days",
    "paid_on_future_days",
    "business_date_future_days",
)


def load_limits(override: Path | None = None) -> Limits:
    """The shipped limits, with ``override`` (else ``$FAIRCOLLECT_LIMITS``) applied."""
    from faircollect.data.limits import limits_yaml_text

    limits = _apply(None, limits_yaml_text(), SHIPPED, required=True)
    from_env = os.environ.get(LIMITS_VARIABLE)
    chosen = override or (Path(from_env) if from_env else None)
    if chosen is None:
        return limits
    text = read_text_file(chosen)
    return _apply(limits, text, str(chosen), required=False)


def _apply(base: Limits | None, text: str, source: str, *, required: bool) -> Limits:
    reader = NodeReader(source)
    root = reader.compose(text)
    entries = (
        reader.mapping(root, "", allowed=_KEYS, required=_KEYS if required else ())
        if root is not None
        else None
    )
    reader.raise_if_any()
    assert entries is not None
    values: dict[str, object] = {}
    for key, node in entries.items():
        value = _value(reader, key, node)
        if value is not None:
            values[key] = value
    reader.raise_if_any()
    if base is None:
        return Limits(source=source, **values)  # type: ignore[arg-type]
    return replace(base, source=source, **values)  # type: ignore[arg-type]


def _value(reader: NodeReader, key: str, node: Node) -> object | None:
    if key == "amount_max":
        text = reader.string(node, key)
        if text is None:
            return None
        try:
            fen = parse_yuan_text(text)
        except MoneyError as error:
            reader.error(node, key, str(error))
            return None
        if not 0 < fen <= COLUMN_MAX_FEN:
            reader.error(node, key, "must be more than 0 and fit the database's fen column")
            return None
        return fen
    if key.endswith("_rate_max") or key == "penalty_rate_daily_max":
        rate = reader.decimal(node, key)
        if rate is not None and not Decimal(0) < rate <= Decimal(100):
            reader.error(node, key, "must be more than 0 and at most 100")
            return None
        return rate
    ceiling = MAX_PAST_YEARS if key == "past_years" else MAX_FUTURE_DAYS
    number = reader.integer(node, key, minimum=0)
    if number is not None and number > ceiling:
        reader.error(node, key, f"must be at most {ceiling}")
        return None
    return number


__all__ = ["LIMITS_VARIABLE", "YamlFileError", "YamlIssue", "load_limits"]
