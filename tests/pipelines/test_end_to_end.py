"""The whole graph materialises in-process from a sandbox world, on SQLite and PostgreSQL."""

from __future__ import annotations

from dagster import AssetSelection, DagsterInstance, materialize
from sqlalchemy import func, select

from hub.graph.models import (
    Appeal,
    Delivery,
    EmploymentRecord,
    Household,
    LandLease,
    Loan,
    MahallaIndicators,
    MonthlyIndicator,
    Person,
    Reject,
    SourceCursor,
    SourceRecord,
    TaxRegistration,
)
from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.monthly_assets import MONTHLY_ASSETS_DEFS
from pipelines.monthly_automation import MONTHLY_JOB_ASSETS, due_ranges, range_tags
from pipelines.resources import HubDatabase

COUNTED = (
    Person,
    Household,
    TaxRegistration,
    EmploymentRecord,
    LandLease,
    Loan,
    Appeal,
    SourceRecord,
    Reject,
    Delivery,
)


def run_everything(resources: dict[str, object]) -> bool:
    """What `hub_main_job` materialises, then the monthly products for the months due, as
    `monthly_after_loads` requests them."""
    instance = DagsterInstance.ephemeral()
    main = materialize(
        [*ALL_ASSETS, *QUALITY_CHECKS],
        selection=AssetSelection.all() - AssetSelection.assets("assistant_ratings"),
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )
    if not main.success:
        return False
    hub = resources["hub_db"]
    assert isinstance(hub, HubDatabase)
    for first, last in due_ranges(hub):
        monthly = materialize(
            [*ALL_ASSETS, *MONTHLY_ASSETS_DEFS],
            selection=AssetSelection.assets(*MONTHLY_JOB_ASSETS),
            resources=resources,
            instance=instance,
            tags=range_tags(first, last),
            raise_on_error=False,
        )
        if not monthly.success:
            return False
    return True


def counts(graph_db) -> dict[str, int]:
    with graph_db.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in COUNTED
        }


def test_main_job_builds_the_graph_and_a_rerun_changes_no_counts(
    graph_db, agencies, hub_resources
) -> None:
    resources = hub_resources(graph_db.url, agencies)
    assert run_everything(resources)
    first = counts(graph_db)
    for model in ("Person", "Household", "TaxRegistration", "EmploymentRecord", "Loan", "Appeal"):
        assert first[model] > 0, model
    with graph_db.session() as session:
        deliveries = session.scalars(select(Delivery)).all()
        assert {d.status for d in deliveries} == {"loaded"}
        for d in deliveries:
            assert d.delivered == d.accepted + d.rejected, d.name
        assert session.scalar(select(func.count()).select_from(MahallaIndicators)) > 0
        assert session.scalar(select(func.count()).select_from(MonthlyIndicator)) > 0
        assert {c.source for c in session.scalars(select(SourceCursor))} == {"tax", "bank"}
        current = session.scalar(select(func.count()).where(LandLease.is_current.is_(True)))
        assert 0 < (current or 0) <= first["LandLease"]

    assert run_everything(resources)
    second = counts(graph_db)
    # The API sources are asked again from their cursors (a new, overlapping delivery);
    # files already loaded are not read again. Nothing in the graph is duplicated.
    assert {k: v for k, v in second.items() if k != "Delivery"} == {
        k: v for k, v in first.items() if k != "Delivery"
    }
