"""Fixtures: deliveries of a few hand-written person records, linked by a resolver the test
controls, on SQLite and PostgreSQL.

`GroupResolver` is a test double for the engine: it puts mentions in the groups the test
names (the engine's own decisions are tested with the engine); everything else in the
`linked_persons` step (ids, redirects, splits, facts, survivorship) is the real code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from hub.graph.models import Delivery, Mahalla, Person, SourceRecord
from hub.identity.linkage import (
    ASSIGNMENT_SCHEMA,
    CONFLICT_SCHEMA,
    EXPLANATION_SCHEMA,
    Resolution,
)
from pipelines.linking.step import link_persons
from pipelines.loading.context import LoadContext
from pipelines.staging.mentions import add_mention_columns

MAHALLA = "1703202015"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@dataclass
class GroupResolver:
    """`groups`: mention id -> group label (None: unlinked); an unnamed mention founds
    its own person. `probabilities`: mention id -> the probability its link is given.
    `refused`: (mention, other) pairs reported as merge_refused conflicts."""

    groups: dict[str, str | None] = field(default_factory=dict)
    probabilities: dict[str, float] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)
    seen: list[pl.DataFrame] = field(default_factory=list)

    def __call__(self, mentions: pl.DataFrame) -> Resolution:
        self.seen.append(mentions)
        labels = {m: self.groups.get(m, m) for m in mentions["mention_id"]}
        clusters: dict[str, int] = {}
        # A group's partner for the others: its first mention already in the graph.
        firsts: dict[str, str] = {}
        ordered = mentions.sort(pl.col("person_hub_id").is_null(), "mention_id")
        for mention in ordered["mention_id"]:
            if labels[mention] is not None:
                firsts.setdefault(labels[mention], mention)
        rows, steps = [], []
        for mention, label in labels.items():
            if label is None:
                rows.append((mention, None, "unlinked", None, None, None, "only a name"))
                continue
            cluster = clusters.setdefault(label, len(clusters))
            first = firsts[label]
            p = self.probabilities.get(mention)
            partner = None if first == mention else first
            method = (
                "probabilistic" if p is not None else "previous_link" if partner else "singleton"
            )
            rows.append((mention, cluster, method, p, 7.5 if p else None, partner, None))
            if p is not None and partner is not None:
                steps += [(mention, partner, "prior", "prior", -12.0)]
                steps += [(mention, partner, "surname", "exact root", 9.0)]
        conflicts = [
            (clusters.get(labels[b] or ""), "merge_refused", a, b, "two members of one household")
            for a, b in self.refused
        ]
        return Resolution(
            pl.DataFrame(rows, schema=ASSIGNMENT_SCHEMA, orient="row"),
            pl.DataFrame(steps, schema=EXPLANATION_SCHEMA, orient="row"),
            pl.DataFrame(conflicts, schema=CONFLICT_SCHEMA, orient="row"),
            comparisons=len(steps),
            model_version="test-groups",
        )


def person_rows(source: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Staged person rows of `source` from raw fields (pinfl, full_name, birth_date, sex)."""
    frame = pl.DataFrame(rows, infer_schema_length=None)
    for column, dtype in (("pinfl", pl.String), ("birth_date", pl.Date), ("sex", pl.String)):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(column))
    if "mahalla_code" not in frame.columns:
        frame = frame.with_columns(mahalla_code=pl.lit(MAHALLA))
    return add_mention_columns(
        frame, pinfl="pinfl", full_name="full_name", birth_on="birth_date", sex="sex"
    )


def add_mahalla(session: Any) -> None:
    from hub.graph.models import District, Region

    # One at a time: the models declare no relationships for the flush to order by.
    for row in (
        Region(code="1703", name="Andijon viloyati"),
        District(code="1703202", region_code="1703", name="Asaka tumani"),
        Mahalla(code=MAHALLA, district_code="1703202", name="Navbahor MFY", stir=None),
    ):
        session.add(row)
        session.flush()


def deliver(
    graph_db: Any,
    source: str,
    staged: pl.DataFrame,
    resolver: GroupResolver,
    *,
    households: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Link `staged` as one delivery of `source`, committed; the step's links."""
    with graph_db.session() as session, session.begin():
        if session.get(Mahalla, MAHALLA) is None:
            add_mahalla(session)
        delivery = Delivery(source=source, name=f"{source}-{NOW.isoformat()}", status="staged")
        session.add(delivery)
        session.flush()
        ctx = LoadContext(session, source, delivery.id, delivery.name, NOW, frozenset({MAHALLA}))
        return link_persons(ctx, staged, households=households, resolver=resolver)


def hub_id_of(graph_db: Any, source: str, record_key: str) -> str | None:
    with graph_db.session() as session:
        return session.scalar(
            select(Person.hub_id)
            .join(SourceRecord, SourceRecord.person_id == Person.id)
            .where(SourceRecord.source == source, SourceRecord.record_key == record_key)
        )


def orphan_persons(graph_db: Any) -> int:
    with graph_db.session() as session:
        linked = select(SourceRecord.person_id).where(SourceRecord.person_id.is_not(None))
        return len(session.scalars(select(Person.id).where(Person.id.not_in(linked))).all())


Deliver = Callable[..., pl.DataFrame]


@pytest.fixture
def resolver() -> GroupResolver:
    return GroupResolver()


@pytest.fixture
def link_delivery(graph_db: Any, resolver: GroupResolver) -> Deliver:
    """`link_delivery(source, staged, households=())`: one committed delivery."""

    def run(source: str, staged: pl.DataFrame, households: tuple[str, ...] = ()) -> pl.DataFrame:
        return deliver(graph_db, source, staged, resolver, households=households)

    return run


@pytest.fixture
def staged_persons() -> Callable[[str, list[dict[str, Any]]], pl.DataFrame]:
    return person_rows


@pytest.fixture
def hub_id(graph_db: Any) -> Callable[[str, str], str | None]:
    """`hub_id(source, record_key)`: the hub id of the record's person, or None."""
    return lambda source, key: hub_id_of(graph_db, source, key)


@pytest.fixture
def orphans(graph_db: Any) -> Callable[[], int]:
    """`orphans()`: how many persons no source record belongs to."""
    return lambda: orphan_persons(graph_db)
