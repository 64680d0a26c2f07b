"""Column types that keep values exact and unambiguous on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from faircollect.adapters.data_keys import keyring, lookup_hash
from faircollect.domain.sealed import is_sealed


class ExactDecimal(TypeDecorator[Decimal]):
    """A rate or ratio stored as its decimal text ("0.18"), so no backend turns it into a float.

    Money is never stored this way: money is integer fen in a BigInteger column.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats are not stored as exact decimals")
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: contact times must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Sealed(TypeDecorator[str]):
    """Personal text sealed at rest (``domain.sealed``): sealed under the current data key
    when written, opened when read, so the rows of the table never hold it in clear.

    Text already sealed is written as it is (a rotation writes what it re-sealed). The empty
    text stays empty: it tells nothing, and ``column == ""`` must keep working (retention
    asks which values are still filled). Columns of this type are what ``faircollect keys
    rotate`` and ``keys check`` go through.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        text = str(value)
        return text if text == "" or is_sealed(text) else keyring().seal(text)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else keyring().open(value)


def keyed_hash_of(source: str) -> Callable[[Any], str | None]:
    """A column default: the keyed hash of the row's ``source`` value, for Core inserts and
    updates that set the value (the bulk importer fills it itself: ``bulk.insert_rows``)."""

    def default(context: Any) -> str | None:
        value = context.get_current_parameters().get(source)
        return None if value is None else lookup_hash(str(value))

    return default
