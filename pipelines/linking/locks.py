"""Linking transactions that must not overlap: PostgreSQL advisory locks.

Two linking transactions over the same records could each found the same person, so the
`linked_persons` step takes these before it reads the graph (`pipelines.linking.step`), and
the country-wide step before it links across regions (`pipelines.regions.country`). Two
region partitions may still found one person each for a person known in both regions;
the country-wide step merges them (and `pipelines.linking.pinfl_claims` keeps their shared
PINFL on one of them meanwhile).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipelines.regions.codes import COUNTRY

_LOCK_KEY: Final = 0x6C696E6B  # "link"


def lock_linking(session: Session, region: str | None = None) -> None:
    """Serialise linking transactions (PostgreSQL: transaction-scoped advisory locks;
    SQLite serialises writers already).

    A region partition's linking sees only its region's records, so two regions link at
    the same time: each holds the shared lock and its region's own. Whole-country linking
    (`region` None or "country") holds the lock exclusively, waiting for every region."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if region is None or region == COUNTRY:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        return
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _LOCK_KEY})
    session.execute(
        text("SELECT pg_advisory_xact_lock(:key, :region)"),
        {"key": _LOCK_KEY, "region": int(region)},
    )
