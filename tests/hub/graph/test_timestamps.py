"""Timestamps read back aware and in UTC on both databases, whatever the offset written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, text

from hub.graph.models import District, Mahalla, Region


def test_timestamps_come_back_in_utc_whatever_offset_was_written(graph_db: Any) -> None:
    tashkent = timezone(timedelta(hours=5))
    written = datetime(2022, 12, 1, 10, 30, tzinfo=tashkent)
    with graph_db.sessions.begin() as session:
        district = session.scalar(select(District.code).limit(1))
        if district is None:  # an empty graph: give the mahalla a territory of its own
            session.add(Region(code="1799", name="Test"))
            session.flush()
            session.add(District(code="1799001", region_code="1799", name="Test"))
            session.flush()
            district = "1799001"
        code = f"{district}999"
        session.add(Mahalla(code=code, district_code=district, name="T", last_confirmed_at=written))
    with graph_db.engine.connect() as connection:
        read = connection.scalar(select(Mahalla.last_confirmed_at).where(Mahalla.code == code))
        if graph_db.engine.dialect.name == "postgresql":
            # Hub sessions run in UTC, so the driver hands the value over in UTC already.
            assert connection.scalar(text("SHOW TimeZone")) == "UTC"
    assert read == written
    assert read is not None and read.tzinfo is UTC
    assert read.hour == 5
