"""What every row built from an agency record carries: its delivery and last confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from hub.graph.types import BigId, UtcDateTime, utc_now


class SourcedMixin:
    """`delivery_id` is the delivery that last wrote the row; `last_confirmed_at` when."""

    @declared_attr
    def delivery_id(cls) -> Mapped[int | None]:
        return mapped_column(BigId, ForeignKey("delivery.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def last_confirmed_at(cls) -> Mapped[datetime]:
        return mapped_column(UtcDateTime(), default=utc_now)
