"""The quarantine: records that were delivered but not loaded, with their reasons.

Rejects from the connectors (stage `connect`, the rule the connector named: `enum:channel`,
`encoding`, ...) and from staging's row rules (stage `stage`, the rule's code) are written
here, one entry per rejected content however often reruns reject it again
(`pipelines.quarantine_entries`), each raw text capped to
`HUB_QUARANTINE_RAW_CHARS` characters (its beginning, full length and SHA-256 beyond that:
`connectors.raw_text`), and so is a whole file that cannot be read at all (stage `connect`,
rule `unreadable_file`, one entry for the file). When a later delivery brings an accepted
record with the same (source, record key), its open rejects become `resolved`; when a later
version of the same file lands, the open rejects of the earlier versions become `resolved`
by it (the new version has its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.limits import raw_chars_from_env
from connectors.outcomes import Reject as ConnectorReject
from connectors.raw_text import capped_raw
from hub.graph.bulk import in_chunks
from hub.graph.models import Delivery, Reject
from pipelines.quarantine_entries import fingerprint, keep_entries
from pipelines.storable_text import storable, storable_key, storable_origin


def quarantine_unreadable(
    session: Session,
    delivery_id: int,
    rejects: Sequence[ConnectorReject],
    raw_chars: int | None = None,
) -> int:
    limit = raw_chars or raw_chars_from_env()
    rows = [
        {
            "source": r.source,
            "record_key": storable_key(r.record_key),
            "delivery_id": delivery_id,
            "stage": "connect",
            "rule": r.rule,
            "reasons": [storable(r.reason)],
            "raw": storable(capped_raw(r.raw, limit)),
            "origin": storable_origin(r.origin),
            "fingerprint": fingerprint(r.source, r.record_key, "connect", r.rule, r.raw),
        }
        for r in rejects
    ]
    return keep_entries(session, rows)


def quarantine_unreadable_file(
    session: Session, source: str, delivery_id: int, name: str, description: str, reason: str
) -> None:
    """One entry for a file no row of which could be read; `description` stands for its
    raw text (the file itself stays in the agency's folder)."""
    rule = "unreadable_file"
    keep_entries(
        session,
        [
            {
                "source": source,
                "record_key": None,
                "delivery_id": delivery_id,
                "stage": "connect",
                "rule": rule,
                "reasons": [storable(reason)],
                "raw": storable(capped_raw(description, raw_chars_from_env())),
                "origin": storable_origin(name),
                "fingerprint": fingerprint(source, None, "connect", rule, description),
            }
        ],
    )


def resolve_superseded(
    session: Session, earlier: Sequence[int], delivery_id: int, at: datetime
) -> int:
    """Close the open rejects of the deliveries `earlier`, replaced by `delivery_id`."""
    ids: list[int] = []
    for chunk in in_chunks(list(earlier)):
        ids += session.scalars(
            select(Reject.id).where(Reject.delivery_id.in_(chunk), Reject.status == "open")
        )
    for chunk in in_chunks(ids):
        session.execute(
            update(Reject)
            .where(Reject.id.in_(chunk))
            .values(status="resolved", resolved_at=at, resolved_by_delivery_id=delivery_id)
        )
    return len(ids)


def quarantine_rule_breaks(
    session: Session,
    source: str,
    delivery_id: int,
    rejects: pl.DataFrame,
    raw_chars: int | None = None,
) -> int:
    """Write staging's rejects (REJECT_SCHEMA of pipelines.staging.rules)."""
    if rejects.is_empty():
        return 0
    limit = raw_chars or raw_chars_from_env()
    rows = [
        {
            "source": source,
            "record_key": storable_key(row["record_key"]),
            "delivery_id": delivery_id,
            "stage": "stage",
            "rule": row["rule"],
            "reasons": [storable(reason) for reason in row["reasons"]],
            "raw": storable(capped_raw(row["raw"], limit)),
            "origin": storable_origin(row["origin"]),
            "fingerprint": fingerprint(source, row["record_key"], "stage", row["rule"], row["raw"]),
        }
        for row in rejects.iter_rows(named=True)
    ]
    return keep_entries(session, rows)


def resolve_accepted(
    session: Session,
    source: str,
    record_keys: Iterable[str],
    delivery_id: int,
    at: datetime,
    *,
    files_up_to: str | None = None,
) -> int:
    """Close the open rejects of records that `delivery_id` has now loaded.

    The open rejects of a source are few next to a delivery's records: read those, and
    update only the ones whose key the delivery brought. With `files_up_to` (a source
    whose later files win), only rejects from files named up to it close: an earlier
    file's good row does not answer for a later file's bad version of the record.
    """
    stmt = select(Reject.id, Reject.record_key).where(
        Reject.source == source,
        Reject.status == "open",
        Reject.record_key.is_not(None),
        Reject.delivery_id != delivery_id,
    )
    if files_up_to is not None:
        stmt = stmt.join(Delivery, Delivery.id == Reject.delivery_id).where(
            Delivery.name <= files_up_to
        )
    open_rejects = session.execute(stmt).all()
    if not open_rejects:
        return 0
    accepted = set(record_keys)
    ids = [reject_id for reject_id, key in open_rejects if key in accepted]
    for chunk in in_chunks(ids):
        session.execute(
            update(Reject)
            .where(Reject.id.in_(chunk))
            .values(status="resolved", resolved_at=at, resolved_by_delivery_id=delivery_id)
        )
    return len(ids)
