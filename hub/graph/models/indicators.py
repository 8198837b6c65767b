"""Indicators derived from the graph per mahalla (written by hub.diagnostics, read by the API).

One row per mahalla, recomputed after every load, so dashboards read one row instead of
aggregating a mahalla's people on every request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.types import BigId, UtcDateTime, mahalla_code_str, utc_now


class MahallaIndicators(Base):
    __tablename__ = "mahalla_indicators"

    mahalla_code: Mapped[mahalla_code_str] = mapped_column(
        ForeignKey("mahalla.code", ondelete="CASCADE"), primary_key=True
    )
    population: Mapped[int] = mapped_column(default=0)
    households: Mapped[int] = mapped_column(default=0)
    # {"1": n, "2": n, "3": n, "4": n, "unknown": n}
    households_by_assessed_category: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    households_by_computed_category: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    category_mismatches: Mapped[int] = mapped_column(default=0)
    employed: Mapped[int] = mapped_column(default=0)
    unemployed: Mapped[int] = mapped_column(default=0)
    self_employed: Mapped[int] = mapped_column(default=0)
    entrepreneurs: Mapped[int] = mapped_column(default=0)
    public_works: Mapped[int] = mapped_column(default=0)
    in_training: Mapped[int] = mapped_column(default=0)
    active_leases: Mapped[int] = mapped_column(default=0)
    leased_area_ha: Mapped[float] = mapped_column(default=0.0)
    # {"family_entrepreneurship": {"count": n, "amount_tiyin": n}, ...}
    loans_by_program: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notebook_entries: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    appeals_total: Mapped[int] = mapped_column(default=0)
    appeals_open: Mapped[int] = mapped_column(default=0)
    appeals_by_topic: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    computed_in_delivery_id: Mapped[int | None] = mapped_column(BigId)
