"""A world dated as the demo dates it (the year before today) goes through the main job with
no date judged implausible and every check green; a world dated decades ahead is still
caught by the plausible-date rules (issue 17: the demo's world is dated relative to the day
it runs). The dates are judged in staging, the same on either database: these run on SQLite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from dagster import DagsterInstance, ExecuteInProcessResult, materialize
from sqlalchemy import select

from hub.graph.models import Reject
from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.demo import demo_base_year
from sandbox.generate import generate_world
from tests.pipelines.conftest import Agencies, ResourceFactory

ServeAgencies = Callable[[Path], AbstractContextManager[Agencies]]


def _run(
    world: Path, graph_db, hub_resources: ResourceFactory, serve_agencies: ServeAgencies
) -> tuple[ExecuteInProcessResult, list[Reject]]:  # type: ignore[no-untyped-def]
    with serve_agencies(world) as agencies:
        result = materialize(
            [*ALL_ASSETS, *QUALITY_CHECKS],
            resources=hub_resources(graph_db.url, agencies, world),
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    with graph_db.session() as session:
        rejects = list(session.scalars(select(Reject)))
        session.expunge_all()
    return result, rejects


ON_SQLITE = pytest.mark.parametrize("graph_db", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def last_years_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("last_years_world")
    generate_world(world, 2500, seed=7, base_year=demo_base_year())
    return world


@ON_SQLITE
def test_a_world_dated_last_year_loads_with_no_implausible_date_and_green_checks(
    graph_db, hub_resources: ResourceFactory, serve_agencies: ServeAgencies, last_years_world: Path
) -> None:  # type: ignore[no-untyped-def]
    result, rejects = _run(last_years_world, graph_db, hub_resources, serve_agencies)

    assert result.success
    assert rejects  # the rows the generator broke on purpose
    assert not [(r.source, r.rule) for r in rejects if r.rule.endswith("_implausible")]
    evaluations = result.get_asset_check_evaluations()
    fresh = [e for e in evaluations if e.check_name == "delivered_recently"]
    assert len(fresh) == 7
    assert [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed] == []


@ON_SQLITE
def test_a_world_dated_decades_ahead_is_rejected_as_implausible(
    graph_db, hub_resources: ResourceFactory, serve_agencies: ServeAgencies, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    world = tmp_path / "world_2090"
    generate_world(world, 800, seed=7, base_year=2090)

    _, rejects = _run(world, graph_db, hub_resources, serve_agencies)

    rules = Counter((r.source, r.rule) for r in rejects)
    # A row names the first rule it broke (a birth date in 2089 comes before its event date)
    # and lists every reason.
    for source, column in [
        ("registry", "appointed_on"),
        ("survey", "surveyed_on"),
        ("employment", "status_on"),
        ("land", "starts_on"),
        ("bank", "issued_on"),
        ("appeals", "received_at"),
    ]:
        reasons = [reason for r in rejects if r.source == source for reason in r.reasons]
        assert any(reason.startswith(f"{column} ") for reason in reasons), (source, rules)
    # The tax agency has made none of the world's revisions yet: it serves nothing to reject.
    assert not [key for key in rules if key[0] == "tax"]
