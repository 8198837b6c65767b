"""Quarterly ratings derived from the graph (written by hub.diagnostics.ratings_*).

- `BodyRating`: a state body appeals are addressed to, per quarter: received, resolved,
  resolution rate, median and 90th-percentile days, overdue open appeals, and its rank.
- `AssistantRating`: a mahalla's assistant per quarter: the score, its components and the
  ranks within the district, the region and the country.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.types import UtcDateTime, mahalla_code_str, short_str, utc_now


class BodyRating(Base):
    __tablename__ = "body_rating"

    quarter_on: Mapped[date] = mapped_column(primary_key=True)
    # The appeal's `addressed_to`; appeals with none are rated as "(no addressee)".
    body: Mapped[str] = mapped_column(String(64), primary_key=True)
    received: Mapped[int]
    resolved: Mapped[int]
    resolution_rate: Mapped[float | None] = mapped_column(Float)
    median_days: Mapped[float | None] = mapped_column(Float)
    p90_days: Mapped[float | None] = mapped_column(Float)
    overdue_open: Mapped[int]
    # Null when not ranked (too few appeals, or no addressee).
    rank: Mapped[int | None]
    rules_version: Mapped[short_str]
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class AssistantRating(Base):
    __tablename__ = "assistant_rating"

    quarter_on: Mapped[date] = mapped_column(primary_key=True)
    mahalla_code: Mapped[mahalla_code_str] = mapped_column(primary_key=True)
    assistant_id: Mapped[str | None] = mapped_column(String(32))
    district_code: Mapped[str] = mapped_column(String(7))
    region_code: Mapped[str] = mapped_column(String(4))
    score: Mapped[float] = mapped_column(Float)
    # {"placed": {"value": n, "per_households": x, "weight": w, "points": p}, ...}
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rank_in_district: Mapped[int]
    rank_in_region: Mapped[int]
    rank_in_country: Mapped[int]
    rules_version: Mapped[short_str]
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
