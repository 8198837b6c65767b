"""Person mentions as source records: from a staged delivery, from the graph, to the engine.

A *mention record* (`RECORD_COLUMNS`) is what the hub keeps of one record's view of a person
on its `source_record` row, so that later deliveries can be linked against it without
reading the agencies' files again. The engine sees the record's OWN stated birth date and
sex (`stated_*`), never those read out of a PINFL that may be a relative's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import polars as pl
from sqlalchemy import CompoundSelect, Select, case, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from hub.graph.copy_frame import copy_frame, sqlite_frame
from hub.graph.models import Person, SourceRecord
from hub.identity.linkage import MENTION_SCHEMA
from hub.identity.linkage.features import passport_key, phone_key

RECORD_COLUMNS: Final[dict[str, pl.DataType]] = {
    "source": pl.String(),
    "record_key": pl.String(),
    "household_id": pl.Int64(),
    "pinfl": pl.String(),
    "pinfl_issue": pl.String(),
    "full_name": pl.String(),
    "latin_name": pl.String(),
    "name_key": pl.String(),
    "surname_key": pl.String(),
    "stated_birth_on": pl.Date(),
    "stated_sex": pl.String(),
    "birth_on": pl.Date(),
    "sex": pl.String(),
    "birth_year": pl.Int16(),
    "mahalla_code": pl.String(),
    "household_key": pl.String(),
    "passport": pl.String(),
    "phone": pl.String(),
    "tin": pl.String(),
    "passport_key": pl.String(),
    "phone_key": pl.String(),
}

KNOWN_COLUMNS: Final[dict[str, pl.DataType]] = {
    **RECORD_COLUMNS,
    "record_id": pl.Int64(),
    "person_id": pl.Int64(),
    "person_hub_id": pl.String(),
    "recency": pl.Int64(),
    "explained": pl.Int16(),
}
"""A mention record read back from the graph, with its row id, person, recency, and
whether it holds a link explanation already (`explained`: 1 or 0; null for a new record)."""


def explained() -> Any:
    """The `explained` column of a record read from the graph."""
    return case((SourceRecord.match_method.is_(None), 0), else_=1)


def _column(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None)


def person_records(source: str, staged: pl.DataFrame) -> pl.DataFrame:
    """The mention records of a staged table's persons (RECORD_COLUMNS).

    Land's legal-entity lessees are businesses, not persons: they are left out here.
    """
    frame = staged
    if source == "land":
        frame = frame.filter(pl.col("lessee_kind") != "legal_entity")
    tin = {"tax": _column(frame, "tin"), "land": _column(frame, "lessee_tin")}.get(source)
    household_key = _column(frame, "survey_id") if source == "survey" else pl.lit(None)
    records = frame.with_columns(
        source=pl.lit(source),
        household_key=household_key,
        tin=tin if tin is not None else pl.lit(None),
        passport=_column(frame, "passport"),
        phone=_column(frame, "phone"),
        household_id=_column(frame, "household_id"),
        birth_year=pl.col("birth_on").dt.year(),
    ).with_columns(
        passport_key=passport_key(pl.col("passport").cast(pl.String)),
        phone_key=phone_key(pl.col("phone").cast(pl.String)),
    )
    return records.select(pl.col(c).cast(t) for c, t in RECORD_COLUMNS.items())


def known_records_query() -> Select[tuple[object, ...]]:
    """The graph's person mention records (KNOWN_COLUMNS order), for a caller's WHERE."""
    columns = [getattr(SourceRecord, c) for c in RECORD_COLUMNS]
    return (
        select(
            *columns,
            SourceRecord.id,
            SourceRecord.person_id,
            Person.hub_id,
            SourceRecord.last_delivery_id,
            explained(),
        )
        .outerjoin(Person, Person.id == SourceRecord.person_id)
        .where(SourceRecord.kind == "person")
    )


def known_frame(rows: Sequence[Sequence[object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=KNOWN_COLUMNS, orient="row")


def read_rows(session: Session, query: Executable) -> Sequence[Sequence[Any]]:
    """The rows of a column query, read through the session's connection (Core).

    `session.execute` would run them through the ORM's row loading, which for a plain
    column query adds nothing and cost more than the database's own reading (a survey of
    100,000 people reads several hundred thousand mention records back)."""
    session.flush()
    return session.connection().execute(query).all()


def read_frame(
    session: Session, query: Select[Any] | CompoundSelect[Any], schema: dict[str, Any]
) -> pl.DataFrame:
    """The rows of a column query as a frame of `schema`: on PostgreSQL through COPY and
    polars' CSV reader, on SQLite from the driver's cursor (`hub.graph.copy_frame`), else
    as rows (`read_rows`). Linking a delivery reads its graph candidates and their
    persons' records back: as SQLAlchemy rows that was a third of an employment load's
    time on PostgreSQL."""
    session.flush()
    connection = session.connection()
    copied = copy_frame(connection, query, schema)
    if copied is None:
        copied = sqlite_frame(connection, query, schema)
    if copied is not None:
        return copied
    return pl.DataFrame(read_rows(session, query), schema=schema, orient="row")


def read_known(session: Session, query: Select[Any]) -> pl.DataFrame:
    """`known_records_query()` with a caller's WHERE, as a KNOWN_COLUMNS frame."""
    return read_frame(session, query, dict(KNOWN_COLUMNS))


def mention_id() -> pl.Expr:
    return pl.concat_str([pl.col("source"), pl.lit("/"), pl.col("record_key")])


def engine_mentions(records: pl.DataFrame) -> pl.DataFrame:
    """`records` (KNOWN_COLUMNS) as the engine's mentions (MENTION_SCHEMA)."""
    return records.select(
        mention_id().alias("mention_id"),
        "source",
        "record_key",
        "pinfl",
        "full_name",
        pl.col("stated_birth_on").alias("birth_on"),
        pl.col("stated_sex").alias("sex"),
        "mahalla_code",
        "household_key",
        "passport",
        "phone",
        "tin",
        "person_hub_id",
    ).cast(MENTION_SCHEMA)  # type: ignore[arg-type]
