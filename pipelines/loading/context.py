"""What every loader needs: the caller's session, the delivery and its moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class LoadContext:
    """`session` is in a transaction the caller owns; loaders never commit."""

    session: Session
    source: str
    delivery_id: int
    delivery_name: str
    now: datetime
    known_mahallas: frozenset[str]
