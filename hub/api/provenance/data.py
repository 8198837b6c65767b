"""The provenance data layer: deliveries, source records, person conflicts and the
quarantine, with the per-source summaries engineers watch.

Delivery statuses are the pipelines' (pipelines/deliveries.py): `landing` → `landed` →
`staged` → `loaded`, or `failed`; set aside: `held` (waiting for an engineer's
confirmation), `quarantined` (a file unreadable as a whole), `superseded` (replaced by a
later version of the same file). The summaries count `loaded` as a successful load.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, case, func, select, tuple_, type_coerce

from hub.api.batch_fetch import Match, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.records import record_fields, select_records, table_of, to_records
from hub.graph.models import Delivery, Person, PersonConflict, Reject, SourceRecord
from hub.graph.types import UtcDateTime

DELIVERY = table_of(Delivery)
SOURCE_RECORD = table_of(SourceRecord)
CONFLICT = table_of(PersonConflict)
REJECT = table_of(Reject)
PERSON = table_of(Person)

DELIVERY_SUCCEEDED = "loaded"
DELIVERY_FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: int
    source: str
    name: str
    fingerprint: str | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    delivered: int
    accepted: int
    rejected: int
    duplicate_keys: int
    cursor_from: str | None
    cursor_to: str | None
    message: str | None
    run_id: str | None
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class SourceRecordRow:
    source: str
    record_key: str
    kind: str
    person_id: int | None
    household_id: int | None
    first_delivery_id: int | None
    last_delivery_id: int | None
    first_seen_at: datetime
    last_seen_at: datetime
    pinfl_issue: str | None
    match_method: str | None
    match_score: float | None
    id: int
    match_weight: float | None
    matched_source: str | None
    matched_record_key: str | None
    unlinked_reason: str | None
    model_version: str | None
    linked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConflictRecord:
    person_id: int
    attribute: str
    source: str
    record_key: str
    value: str | None
    surviving_value: str | None
    detected_at: datetime
    kind: str
    other_source: str | None
    other_record_key: str | None
    detail: str | None
    person_hub_id: str


@dataclass(frozen=True, slots=True)
class RejectRecord:
    id: int
    source: str
    record_key: str | None
    delivery_id: int | None
    stage: str
    rule: str
    reasons: list[str]
    raw: str
    origin: str | None
    status: str
    created_at: datetime
    resolved_at: datetime | None
    seen_count: int
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class SourceSummaryRecord:
    source: str
    deliveries: int
    delivered: int
    accepted: int
    rejected: int
    last_succeeded_at: datetime | None
    last_failed_at: datetime | None
    last_failure_message: str | None
    open_rejects: int
    held_deliveries: int
    quarantined_files: int


@dataclass(frozen=True, slots=True)
class RejectCountRecord:
    source: str
    rule: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class DeliveryCriteria:
    source: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class RejectCriteria:
    source: str | None = None
    rule: str | None = None
    status: str | None = None


def delivery_list_order() -> list[ColumnElement[Any]]:
    """Deliveries, the most recently started first (the id breaks ties)."""
    return [DELIVERY.c.started_at.desc(), DELIVERY.c.id.desc()]


def delivery_list_where(c: DeliveryCriteria) -> list[ColumnElement[bool]]:
    """The conditions (on `DELIVERY`, their values bound in them) of a list of deliveries."""
    return _delivery_where(c)


def _delivery_where(c: DeliveryCriteria) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if c.source is not None:
        where.append(DELIVERY.c.source == c.source)
    if c.status is not None:
        where.append(DELIVERY.c.status == c.status)
    return where


def fetch_deliveries(
    connection: Connection, criteria: DeliveryCriteria, offset: int, limit: int
) -> list[DeliveryRecord]:
    """Deliveries, the most recently started first."""
    stmt = (
        select_records(DeliveryRecord, DELIVERY)
        .where(*_delivery_where(criteria))
        .order_by(*delivery_list_order())
        .offset(offset)
        .limit(limit)
    )
    return to_records(DeliveryRecord, connection.execute(stmt).all())


def count_deliveries(connection: Connection, criteria: DeliveryCriteria) -> int:
    stmt = select(func.count()).select_from(DELIVERY).where(*_delivery_where(criteria))
    return int(connection.scalar(stmt) or 0)


def _latest(status: str) -> Any:
    finished = case((DELIVERY.c.status == status, DELIVERY.c.finished_at))
    return type_coerce(func.max(finished), UtcDateTime())


def _count_of(status: str) -> Any:
    return func.coalesce(func.sum(case((DELIVERY.c.status == status, 1), else_=0)), 0)


def fetch_source_summaries(
    connection: Connection, sources: Sequence[str] | None
) -> list[SourceSummaryRecord]:
    """One summary per source that has deliveries or rejects, by source id."""
    totals = select(
        DELIVERY.c.source,
        func.count(),
        func.coalesce(func.sum(DELIVERY.c.delivered), 0),
        func.coalesce(func.sum(DELIVERY.c.accepted), 0),
        func.coalesce(func.sum(DELIVERY.c.rejected), 0),
        _latest(DELIVERY_SUCCEEDED),
        _latest(DELIVERY_FAILED),
        _count_of("held"),
        _count_of("quarantined"),
    ).group_by(DELIVERY.c.source)
    open_rejects = (
        select(REJECT.c.source, func.count()).where(REJECT.c.status == "open")
    ).group_by(REJECT.c.source)
    if sources is not None:
        totals = totals.where(DELIVERY.c.source.in_(sources))
        open_rejects = open_rejects.where(REJECT.c.source.in_(sources))
    by_source = {row[0]: tuple(row[1:]) for row in connection.execute(totals).all()}
    rejects = {source: int(n) for source, n in connection.execute(open_rejects).all()}
    failures = _failure_messages(connection, {s: v[5] for s, v in by_source.items() if v[5]})
    summaries = []
    for source in sorted(set(by_source) | set(rejects)):
        n, delivered, accepted, rejected, succeeded_at, failed_at, held, quarantined = (
            by_source.get(source, (0, 0, 0, 0, None, None, 0, 0))
        )
        summaries.append(
            SourceSummaryRecord(
                source=source,
                deliveries=int(n),
                delivered=int(delivered),
                accepted=int(accepted),
                rejected=int(rejected),
                last_succeeded_at=succeeded_at,
                last_failed_at=failed_at,
                last_failure_message=failures.get(source),
                open_rejects=rejects.get(source, 0),
                held_deliveries=int(held),
                quarantined_files=int(quarantined),
            )
        )
    return summaries


def _failure_messages(
    connection: Connection, failed_at: dict[str, datetime]
) -> dict[str, str | None]:
    if not failed_at:
        return {}
    stmt = (
        select(DELIVERY.c.source, DELIVERY.c.message)
        .where(
            DELIVERY.c.status == DELIVERY_FAILED,
            tuple_(DELIVERY.c.source, DELIVERY.c.finished_at).in_(list(failed_at.items())),
        )
        .order_by(DELIVERY.c.id)
    )
    return {source: message for source, message in connection.execute(stmt).all()}


def _reject_where(c: RejectCriteria) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if c.source is not None:
        where.append(REJECT.c.source == c.source)
    if c.rule is not None:
        where.append(REJECT.c.rule == c.rule)
    if c.status is not None:
        where.append(REJECT.c.status == c.status)
    return where


def fetch_rejects(
    connection: Connection, criteria: RejectCriteria, offset: int, limit: int
) -> list[RejectRecord]:
    """Quarantined records, the newest first."""
    stmt = (
        select_records(RejectRecord, REJECT)
        .where(*_reject_where(criteria))
        .order_by(REJECT.c.created_at.desc(), REJECT.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return to_records(RejectRecord, connection.execute(stmt).all())


def count_rejects(connection: Connection, criteria: RejectCriteria) -> int:
    stmt = select(func.count()).select_from(REJECT).where(*_reject_where(criteria))
    return int(connection.scalar(stmt) or 0)


def fetch_reject_counts(
    connection: Connection, criteria: RejectCriteria
) -> list[RejectCountRecord]:
    """How many quarantined records each (source, rule, status) has, for the filter."""
    stmt = (
        select(REJECT.c.source, REJECT.c.rule, REJECT.c.status, func.count())
        .where(*_reject_where(criteria))
        .group_by(REJECT.c.source, REJECT.c.rule, REJECT.c.status)
        .order_by(REJECT.c.source, REJECT.c.rule, REJECT.c.status)
    )
    return [RejectCountRecord(s, r, st, int(n)) for s, r, st, n in connection.execute(stmt).all()]


def _conflict_columns() -> list[Any]:
    own = [name for name in record_fields(ConflictRecord) if name != "person_hub_id"]
    return [*(CONFLICT.c[name] for name in own), PERSON.c.hub_id]


def _by_person_statement(match: Match) -> Select[Any]:
    return (
        select(*_conflict_columns())
        .join(PERSON, PERSON.c.id == CONFLICT.c.person_id)
        .where(match([CONFLICT.c.person_id]))
        .order_by(
            CONFLICT.c.person_id, CONFLICT.c.attribute, CONFLICT.c.source, CONFLICT.c.record_key
        )
    )


def _by_key_statement(match: Match) -> Select[Any]:
    key = [PERSON.c.hub_id, CONFLICT.c.attribute, CONFLICT.c.source, CONFLICT.c.record_key]
    return (
        select(*_conflict_columns())
        .join(PERSON, PERSON.c.id == CONFLICT.c.person_id)
        .where(match(key))
    )


def _filtered(
    build: Callable[[Match], Select[Any]], where: ColumnElement[bool] | None
) -> Callable[[Match], Select[Any]]:
    return build if where is None else (lambda match: build(match).where(where))


def fetch_conflicts_by_person(
    connection: Connection,
    person_ids: Sequence[int],
    where: ColumnElement[bool] | None = None,
    shape: Hashable = None,
) -> list[list[ConflictRecord]]:
    """Each person's conflicts, among those `where` (a caller's row filter, named by
    `shape`) admits."""
    groups: dict[int, list[ConflictRecord]] = {p: [] for p in person_ids}
    stmt, params = keyed(
        connection,
        ("conflicts_by_person", shape),
        list(groups),
        _filtered(_by_person_statement, where),
    )
    for record in to_records(ConflictRecord, fetch_rows(connection, stmt, params)):
        groups[record.person_id].append(record)
    return [groups[p] for p in person_ids]


def fetch_conflicts_by_key(
    connection: Connection,
    keys: Sequence[tuple[str, str, str, str]],
    where: ColumnElement[bool] | None = None,
    shape: Hashable = None,
) -> list[ConflictRecord | None]:
    """Conflicts by (person hub id, attribute, source, record key), among those `where`
    (a caller's row filter, named by `shape`) admits."""
    stmt, params = keyed(
        connection,
        ("conflicts_by_key", shape),
        list(set(keys)),
        _filtered(_by_key_statement, where),
    )
    found = {
        (r.person_hub_id, r.attribute, r.source, r.record_key): r
        for r in to_records(ConflictRecord, fetch_rows(connection, stmt, params))
    }
    return [found.get(k) for k in keys]
