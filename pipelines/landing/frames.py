"""The connectors' typed records as polars frames, column by column.

Column names are the record's field names (`origin` as its printable text, plus
`record_key`); enum members become their contract codes, `Decimal` becomes float, tuples
become lists. Survey households become two frames: households and their members.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import polars as pl

from connectors.records import SurveyHousehold, SurveyMember


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _column(records: Sequence[Any], name: str) -> list[Any]:
    sample = next((getattr(r, name) for r in records if getattr(r, name) is not None), None)
    if isinstance(sample, Enum | Decimal | tuple):
        return [_plain(getattr(r, name)) for r in records]
    return [getattr(r, name) for r in records]


def _dtype(hint: Any) -> pl.DataType | type[pl.DataType]:
    """The polars dtype of a record field's type hint (`X | None` as X)."""
    args = [a for a in get_args(hint) if a is not type(None)]
    base = args[0] if args and get_origin(hint) in (UnionType, Union) else hint
    if get_origin(base) is tuple:
        return pl.List(pl.String)
    if isinstance(base, type):
        if issubclass(base, bool):
            return pl.Boolean
        if issubclass(base, int):
            return pl.Int64
        if issubclass(base, Decimal | float):
            return pl.Float64
        if issubclass(base, datetime):
            return pl.Datetime("us", "UTC")
        if issubclass(base, date):
            return pl.Date
    return pl.String


def records_frame(
    record_type: type[Any],
    records: Sequence[Any],
    *,
    skip: tuple[str, ...] = (),
    extra: dict[str, Callable[[Any], Any]] | None = None,
) -> pl.DataFrame:
    """A frame with one column per field of `record_type` (those in `skip` left out)."""
    names = [f.name for f in fields(record_type) if f.name not in skip]
    data: dict[str, list[Any]] = {name: _column(records, name) for name in names}
    if "origin" in data:
        data["origin"] = [str(o) for o in data["origin"]]
    data["record_key"] = [r.record_key for r in records]
    for name, compute in (extra or {}).items():
        data[name] = [compute(r) for r in records]
    hints = get_type_hints(record_type)
    schema = {name: _dtype(hints[name]) for name in names if name != "origin"}
    # Strict: a value its column cannot hold raises rather than turning into a null. The
    # connectors refuse such values row by row (connectors.fields.INT64), so this is a guard.
    return pl.DataFrame(data, schema_overrides=schema, strict=True)


def survey_frames(households: Sequence[SurveyHousehold]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(households, members): members carry their household's survey id and mahalla."""
    house_frame = records_frame(
        SurveyHousehold,
        households,
        skip=("members",),
        extra={"member_count": lambda h: len(h.members)},
    )
    members: list[SurveyMember] = [m for h in households for m in h.members]
    origins = [str(h.origin) for h in households for _ in h.members]
    mahallas = [h.mahalla_code for h in households for _ in h.members]
    surveyed = [h.surveyed_on for h in households for _ in h.members]
    member_frame = records_frame(SurveyMember, members).with_columns(
        pl.Series("origin", origins, dtype=pl.String),
        pl.Series("mahalla_code", mahallas, dtype=pl.String),
        pl.Series("surveyed_on", surveyed, dtype=pl.Date),
    )
    return house_frame, member_frame
