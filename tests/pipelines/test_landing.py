"""Landing writes large deliveries in parts and reads them back whole, in order."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hub.graph.models import Delivery
from pipelines.landing.store import LandingStore
from pipelines.resources import FolderAgency, HubDatabase
from pipelines.steps import land
from pipelines.steps.land import land_files
from pipelines.steps.stage import stage_pending


def test_a_delivery_larger_than_a_chunk_is_landed_in_parts_and_staged_whole(
    graph_db, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(land, "LANDING_CHUNK", 100)
    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(tmp_path / "landing"))
    for source in ("registry", "survey"):
        report = land_files(
            hub, FolderAgency(folder=str(world / source), settle_seconds=0), source, None
        )
        stage_pending(hub, source)
    first = report.landed[0]
    store = LandingStore(tmp_path / "landing")
    folder = tmp_path / "landing" / "landed" / "survey" / str(first)
    parts = sorted(folder.glob("survey_households.part-*.parquet"))
    assert len(parts) > 1
    households = store.read_parts("landed", "survey", first, "survey_households")
    assert households is not None
    assert households.height == sum(pl.read_parquet(p).height for p in parts)
    # Parts come back in delivery order, so "the later line wins" still holds.
    origins = households["origin"].str.extract(r":(\d+)$").cast(pl.Int64)
    assert origins.is_sorted()
    with graph_db.session() as session:
        delivery = session.get(Delivery, first)
        assert delivery is not None
        assert delivery.status == "staged"
        assert delivery.delivered == delivery.accepted + delivery.rejected
