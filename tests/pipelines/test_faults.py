"""Faults: a source down, corrupt rows, a delivery sent twice, a run that dies mid-load.

The tests that begin with the whole load of a world (the pipelines' world, the corrupt one)
take a copy of a graph that load made once per backend (tests.pipelines.loaded_graphs); the
module's tests run on one xdist worker so that each load is made once.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize
from sqlalchemy import String, func, select
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.config import HubSettings
from hub.graph.models import (
    Appeal,
    Delivery,
    Household,
    Person,
    Reject,
    SourceRecord,
    TaxRegistration,
)
from pipelines import deliveries
from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.loading import survey as survey_loading
from tests.api_keys import key_headers
from tests.conftest import GraphDatabase
from tests.pipelines.loaded_graphs import BACKEND_PARAMS, LoadedGraph, graph_copy, loaded_graph

pytestmark = pytest.mark.xdist_group("pipeline_faults")

FILE_SOURCES = ("registry", "survey", "employment", "land", "appeals")


def run(resources: dict[str, object]):  # type: ignore[no-untyped-def]
    return materialize(
        [*ALL_ASSETS, *QUALITY_CHECKS],
        resources=resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def count(graph_db, model) -> int:  # type: ignore[no-untyped-def]
    with graph_db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _loads(resources: dict[str, object]) -> bool:
    return bool(run(resources).success)


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def world_loaded(
    request: pytest.FixtureRequest, world_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedGraph]:
    """The pipelines' world loaded whole once (a copy of it: the tests' worlds are copies)."""
    folder = tmp_path_factory.mktemp("world-loaded")
    shutil.copytree(world_template, folder / "world")
    with loaded_graph(request.param, folder / "world", folder, _loads) as loaded:
        yield loaded


@pytest.fixture
def world_graph(world_loaded: LoadedGraph, tmp_path: Path) -> Iterator[GraphDatabase]:
    """A test's copy of the graph the whole load of the pipelines' world built."""
    with graph_copy(world_loaded, tmp_path) as graph:
        yield graph


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def corrupt_loaded(
    request: pytest.FixtureRequest, corrupt_world: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedGraph]:
    """The corrupt world loaded whole once."""
    folder = tmp_path_factory.mktemp("corrupt-loaded")
    with loaded_graph(request.param, corrupt_world, folder, _loads) as loaded:
        yield loaded


@pytest.fixture
def corrupt_graph(corrupt_loaded: LoadedGraph, tmp_path: Path) -> Iterator[GraphDatabase]:
    """A test's copy of the graph the whole load of the corrupt world built."""
    with graph_copy(corrupt_loaded, tmp_path) as graph:
        yield graph


def test_a_source_down_fails_clearly_while_the_others_load_and_its_old_data_stays(
    world_graph, tax_down_agencies, hub_resources, tmp_path: Path
) -> None:
    graph_db = world_graph  # the world loaded whole (its load succeeded)
    registrations = count(graph_db, TaxRegistration)
    with graph_db.session() as session:
        loaded_at = deliveries.last_loaded_at(session, "tax")
    assert registrations > 0 and loaded_at is not None

    result = run(hub_resources(graph_db.url, tax_down_agencies))
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert {e.step_key for e in failures} == {"raw_tax"}
    # Each attempt fails with the clear message; Dagster retries it before giving up.
    attempts = [
        str(e.event_specific_data)
        for e in result.all_events
        if e.step_key == "raw_tax" and e.event_type_value == "STEP_UP_FOR_RETRY"
    ]
    assert attempts and all("tax is unavailable" in a and "503" in a for a in attempts)
    succeeded = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert {"loaded_bank", "loaded_survey", "loaded_appeals"} <= succeeded
    assert count(graph_db, TaxRegistration) == registrations
    with graph_db.session() as session:
        assert deliveries.last_loaded_at(session, "tax") == loaded_at
        failed = session.scalars(
            select(Delivery).where(Delivery.source == "tax", Delivery.status == "failed")
        ).all()
        assert failed and "503" in (failed[-1].message or "")
    # Engineers see it through the API: the last good load and the failure beside it.
    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    with TestClient(create_app(settings), headers=key_headers(settings)) as client:
        answer = client.post(
            "/graphql",
            json={
                "query": '{ sources(source: "tax") { lastSucceededAt lastFailedAt '
                "lastFailureMessage } }"
            },
        ).json()
    (tax,) = answer["data"]["sources"]
    assert tax["lastSucceededAt"] is not None
    assert tax["lastFailedAt"] > tax["lastSucceededAt"]
    assert "503" in tax["lastFailureMessage"]


def _corrupt_rows(world: Path) -> dict[str, int]:
    with (world / "truth" / "corrupt_rows.csv").open(encoding="utf-8") as rows:
        found: dict[str, int] = {}
        for row in csv.DictReader(rows):
            found[row["source"]] = found.get(row["source"], 0) + 1
    return found


def test_corrupt_rows_are_quarantined_with_reasons_and_the_rest_loads(
    corrupt_graph, corrupt_world: Path
) -> None:
    graph_db = corrupt_graph  # the corrupt world loaded whole (its load succeeded)
    corrupt = _corrupt_rows(corrupt_world)
    with graph_db.session() as session:
        quarantined = dict(
            session.execute(
                select(Reject.source, func.sum(Reject.seen_count)).group_by(Reject.source)
            ).all()
        )
        # A corrupt lease repeated in a later land snapshot is one entry seen twice.
        assert quarantined == corrupt
        reasons = session.scalars(select(Reject.reasons)).all()
        assert all(r and all(len(text) > 10 for text in r) for r in reasons)
        for delivery in session.scalars(select(Delivery)):
            assert delivery.status == "loaded"
            assert delivery.delivered == delivery.accepted + delivery.rejected
        origins = {
            (source, origin)
            for source, origin in session.execute(select(Reject.source, Reject.origin))
            if source in FILE_SOURCES
        }
    # Every file row made unreadable on purpose is quarantined, at its own place in its file.
    # The truth counts CSV rows after the header; the connectors name the file's line.
    header = {"registry": 1, "employment": 1}
    with (corrupt_world / "truth" / "corrupt_rows.csv").open(encoding="utf-8") as rows:
        expected = {
            (r["source"], f"{Path(r['file']).name}:{int(r['row']) + header.get(r['source'], 0)}")
            for r in csv.DictReader(rows)
            if r["source"] in FILE_SOURCES
        }
    # An entry seen in several land snapshots names the latest place it was seen.
    assert origins <= expected and len(expected - origins) == corrupt["land"] - len(
        {o for s, o in origins if s == "land"}
    )
    assert count(graph_db, Appeal) > 0


def test_the_same_delivery_twice_duplicates_nothing(
    world_graph, world: Path, agencies, hub_resources
) -> None:
    graph_db = world_graph  # the world loaded whole (its load succeeded)
    before = {m.__name__: count(graph_db, m) for m in (Person, Household, Appeal, SourceRecord)}
    # The agency sends a file again under another name, and the survey file again as is.
    first = sorted((world / "appeals").glob("appeals_*.jsonl"))[0]
    shutil.copy(first, first.with_name(first.stem + "-resent.jsonl"))
    survey_file = sorted((world / "survey").glob("survey_*.jsonl"))[-1]
    survey_file.write_bytes(survey_file.read_bytes())
    assert run(hub_resources(graph_db.url, agencies)).success
    after = {m.__name__: count(graph_db, m) for m in (Person, Household, Appeal, SourceRecord)}
    assert after == before
    with graph_db.session() as session:
        resent = session.scalars(
            select(Delivery).where(Delivery.name == first.stem + "-resent.jsonl")
        ).one()
        assert resent.status == "loaded" and resent.accepted > 0


def test_a_run_that_dies_mid_load_leaves_the_graph_intact_and_a_rerun_completes(
    graph_db, agencies, hub_resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = survey_loading._replace_members

    def die_after_persons_were_written(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("killed while loading the survey")

    monkeypatch.setattr(survey_loading, "_replace_members", die_after_persons_were_written)
    resources = hub_resources(graph_db.url, agencies)
    assert not run(resources).success
    # The survey's persons were written inside the transaction that died: none remain.
    assert count(graph_db, Household) == 0
    with graph_db.session() as session:
        waiting = session.scalars(
            select(Delivery.status).where(Delivery.source == "survey").distinct()
        ).all()
    assert waiting == ["staged"]

    monkeypatch.setattr(survey_loading, "_replace_members", real_replace)
    assert run(resources).success
    assert count(graph_db, Household) > 0
    with graph_db.session() as session:
        statuses = set(session.scalars(select(Delivery.status)))
    assert statuses == {"loaded"}


def test_a_corrected_redelivery_takes_the_record_out_of_the_quarantine(
    corrupt_graph, corrupt_world: Path, hub_resources, serve_agencies, tmp_path: Path
) -> None:
    graph_db = corrupt_graph  # the corrupt world loaded whole (its load succeeded)
    world = tmp_path / "corrected"
    shutil.copytree(corrupt_world, world)
    with serve_agencies(world) as agencies:
        resources = hub_resources(graph_db.url, agencies, world)
        with graph_db.session() as session:
            broken = session.scalars(
                select(Reject).where(
                    Reject.source == "appeals",
                    Reject.status == "open",
                    Reject.record_key.is_not(None),
                    Reject.reasons.cast(String).like("%received_at%"),
                )
            ).first()
            open_before = session.scalar(
                select(func.count()).where(Reject.source == "appeals", Reject.status == "open")
            )
        assert broken is not None, "the corrupt world has an appeal with an impossible date"
        fixed = json.loads(broken.raw)
        fixed["received_at"] = "2022-09-30T07:34:00+05:00"
        fixed["resolved_at"] = None if fixed.get("resolved_at") is None else fixed["received_at"]
        (world / "appeals" / "appeals_2023-Q1.jsonl").write_text(
            json.dumps(fixed, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        assert run(resources).success
    with graph_db.session() as session:
        again = session.get(Reject, broken.id)
        assert again is not None and again.status == "resolved"
        assert again.resolved_by_delivery_id is not None
        loaded = session.scalars(select(Appeal).where(Appeal.appeal_id == broken.record_key)).one()
        assert loaded.received_at.isoformat() == "2022-09-30T02:34:00+00:00"
        still_open = session.scalar(
            select(func.count()).where(Reject.source == "appeals", Reject.status == "open")
        )
        # Only the corrected record left; the others are still waiting for their fix.
        assert still_open == (open_before or 0) - 1
