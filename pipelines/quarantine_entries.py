"""One quarantine entry per rejected content, however often a rerun rejects it again.

A source that re-reads its look-back (the bank's 365 days) rejects the same bad records on
every run. A reject is the same entry as an earlier one when its source, record key, stage,
rule and full raw text are the same: the SHA-256 of those (`fingerprint`, taken before the
quarantine caps the raw text, so two long texts with one beginning stay apart). Seen again,
the entry's `seen_count` grows, `last_seen_at`, `delivery_id` (the delivery that saw it
last), reasons and origin are the latest sighting's; a `resolved` entry seen again is
reopened (its content came back broken). The deliveries' own counts are untouched: each
delivery still counts every reject it had (delivered = accepted + rejected).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from hub.graph.bulk import in_chunks
from hub.graph.models import Reject


def fingerprint(source: str, record_key: str | None, stage: str, rule: str, raw: str) -> str:
    """The SHA-256 (hex) that makes two rejects one entry; `raw` is the full text."""
    parts = (source, record_key or "", stage, rule, raw)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def keep_entries(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Write `rows` (Reject columns with `fingerprint`) as entries: new fingerprints are
    inserted, known ones updated. Returns how many rejects `rows` were (repeats included)."""
    if not rows:
        return 0
    at = datetime.now(UTC)
    seen = Counter(row["fingerprint"] for row in rows)
    latest = {row["fingerprint"]: row for row in rows}
    known = _known(session, list(latest))
    fresh = [
        {**row, "seen_count": seen[key], "created_at": at, "last_seen_at": at}
        for key, row in latest.items()
        if key not in known
    ]
    if fresh:
        session.execute(insert(Reject), fresh)
    again = [
        _seen_again(entry_id, count + seen[key], latest[key], at)
        for key, (entry_id, count) in known.items()
    ]
    if again:
        session.execute(update(Reject), again)
    return len(rows)


def _known(session: Session, keys: list[str]) -> dict[str, tuple[int, int]]:
    """The existing entry (id, seen_count) of each fingerprint; the oldest if there are
    several (entries repeated before fingerprints existed)."""
    known: dict[str, tuple[int, int]] = {}
    for chunk in in_chunks(keys):
        found = session.execute(
            select(Reject.fingerprint, Reject.id, Reject.seen_count)
            .where(Reject.fingerprint.in_(chunk))
            .order_by(Reject.id.desc())
        )
        for key, entry_id, count in found:
            if key is not None:
                known[key] = (entry_id, count)
    return known


def _seen_again(entry_id: int, count: int, row: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "id": entry_id,
        "seen_count": count,
        "last_seen_at": at,
        "delivery_id": row["delivery_id"],
        "reasons": row["reasons"],
        "origin": row["origin"],
        "status": "open",
        "resolved_at": None,
        "resolved_by_delivery_id": None,
    }
