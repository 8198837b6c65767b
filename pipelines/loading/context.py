"""What every loader needs: the caller's session, the delivery and its moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class LoadContext:
    """`session` is in a transaction the caller owns; loaders never commit.

    `region`: None when the whole delivery is loaded at once; a region code when only that
    region's rows are (its persons linked against that region's records only), or
    "country" for the rows with no region, linked against every region
    (pipelines.regions)."""

    session: Session
    source: str
    delivery_id: int
    delivery_name: str
    now: datetime
    known_mahallas: frozenset[str]
    region: str | None = None
