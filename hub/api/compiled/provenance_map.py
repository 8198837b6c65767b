"""Where the fields of the engineers' views lie in SQL: the quarantine (its counts and
records, for the filter the root was given) and the summary of each source.

The quarantine's filter is bound by name (`QUARANTINE_PARAMETERS`), a missing part being
NULL, so one statement serves every filter; the sources' summaries are one row per source
that has deliveries or rejects, each figure a correlated subquery over that source's
rows, as `hub.api.provenance.data.fetch_source_summaries` computes them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, func, or_, select, union

from hub.api.compiled.kinds import FieldMap, Leaf, Many, One, Row, Rows, col, columns, pointing
from hub.api.provenance.data import DELIVERY, DELIVERY_FAILED, DELIVERY_SUCCEEDED, REJECT

QUARANTINE_PARAMETERS = {"source": "q_source", "rule": "q_rule", "status": "q_status"}
SOURCES_PARAMETER = "sources_source"


def quarantine_where(table: Any) -> list[ColumnElement[bool]]:
    """The quarantine filter's conditions on `table` (the reject table or an alias)."""
    where = []
    for column, name in QUARANTINE_PARAMETERS.items():
        value = bindparam(name, type_=String)
        where.append(or_(value.is_(None), table.c[column] == value))
    return where


def _reject_counts(row: Row) -> Select[Any]:
    return (
        select(REJECT.c.source, REJECT.c.rule, REJECT.c.status, func.count().label("count"))
        .where(*quarantine_where(REJECT))
        .group_by(REJECT.c.source, REJECT.c.rule, REJECT.c.status)
    )


def _sources(row: Row) -> Select[Any]:
    named = union(select(DELIVERY.c.source), select(REJECT.c.source)).subquery()
    wanted = bindparam(SOURCES_PARAMETER, type_=String)
    return select(named.c.source).where(or_(wanted.is_(None), named.c.source == wanted))


def _of_source(row: Row, value: ColumnElement[Any], *, where: Any = None) -> Any:
    query = select(value).where(DELIVERY.c.source == row.c.source)
    return (query if where is None else query.where(where)).scalar_subquery()


def _delivery_sum(column: str) -> Leaf:
    return Leaf(lambda row, sql: func.coalesce(_of_source(row, func.sum(DELIVERY.c[column])), 0))


def _latest(status: str) -> Leaf:
    return Leaf(
        lambda row, sql: _of_source(
            row, func.max(DELIVERY.c.finished_at), where=DELIVERY.c.status == status
        )
    )


def _status_count(status: str) -> Leaf:
    return Leaf(lambda row, sql: _of_source(row, func.count(), where=DELIVERY.c.status == status))


def _failure_message(row: Row, sql: Any) -> ColumnElement[Any]:
    failed = DELIVERY.alias()
    last_failed = (
        select(func.max(failed.c.finished_at))
        .where(failed.c.source == row.c.source, failed.c.status == DELIVERY_FAILED)
        .scalar_subquery()
    )
    return (
        select(DELIVERY.c.message)
        .where(
            DELIVERY.c.source == row.c.source,
            DELIVERY.c.status == DELIVERY_FAILED,
            DELIVERY.c.finished_at == last_failed,
        )
        .order_by(DELIVERY.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _open_rejects(row: Row, sql: Any) -> ColumnElement[Any]:
    return (
        select(func.count())
        .where(REJECT.c.source == row.c.source, REJECT.c.status == "open")
        .scalar_subquery()
    )


PROVENANCE: dict[str, dict[str, FieldMap]] = {
    "Quarantine": {
        "counts": Rows("RejectCount", _reject_counts, ("source", "rule", "status")),
        "records": Many(
            "QuarantinedRecord",
            REJECT,
            lambda row, child: and_(*quarantine_where(child)),
            lambda child: [child.c.created_at.desc(), child.c.id.desc()],
        ),
    },
    "RejectCount": columns("source", "rule", "status", "count"),
    "QuarantinedRecord": {
        **columns(
            "source",
            "record_key",
            "stage",
            "rule",
            "origin",
            "status",
            "created_at",
            "resolved_at",
            "seen_count",
            "last_seen_at",
        ),
        "rejectId": Leaf(col("id")),
        "delivery": One("Delivery", DELIVERY, pointing("delivery_id")),
    },
    "SourceSummary": {
        "source": Leaf(col("source")),
        "deliveries": Leaf(lambda row, sql: _of_source(row, func.count())),
        "delivered": _delivery_sum("delivered"),
        "accepted": _delivery_sum("accepted"),
        "rejected": _delivery_sum("rejected"),
        "lastSucceededAt": _latest(DELIVERY_SUCCEEDED),
        "lastFailedAt": _latest(DELIVERY_FAILED),
        "lastFailureMessage": Leaf(_failure_message),
        "openRejects": Leaf(_open_rejects),
        "heldDeliveries": _status_count("held"),
        "quarantinedFiles": _status_count("quarantined"),
    },
}
SOURCES = Rows("SourceSummary", _sources, ("source",))
