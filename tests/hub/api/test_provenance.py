"""For engineers: deliveries, per-source summaries and the quarantine."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import ENGINEER

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph


@pytest.fixture
def api(api: Api) -> Api:
    """Deliveries, sources and the quarantine are the engineer's (hub.api.access.rules)."""
    return api.acting_as(ENGINEER)


def test_deliveries_are_listed_newest_first_and_filter_by_source(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """query($source: String) { deliveries(source: $source) {
      totalCount edges { node { source status delivered accepted rejected startedAt } } } }"""
    every = api.data(query)["deliveries"]
    assert every["totalCount"] == 3
    assert [e["node"]["startedAt"] for e in every["edges"]] == [
        "2022-12-03T06:00:00+00:00",
        "2022-12-02T06:00:00+00:00",
        "2022-12-01T06:00:00+00:00",
    ]
    bank = api.data(query, {"source": "bank"})["deliveries"]
    assert [e["node"]["status"] for e in bank["edges"]] == ["loaded", "failed"]


def test_source_summaries_show_last_success_last_failure_and_counts(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """{ sources { source deliveries delivered accepted rejected lastSucceededAt
      lastFailedAt lastFailureMessage openRejects } }"""
    summaries = {s["source"]: s for s in api.data(query)["sources"]}
    assert summaries["bank"] == {
        "source": "bank",
        "deliveries": 2,
        "delivered": 7,
        "accepted": 5,
        "rejected": 2,
        "lastSucceededAt": "2022-12-03T06:05:00+00:00",
        "lastFailedAt": "2022-12-02T06:05:00+00:00",
        "lastFailureMessage": "HTTP 403 from the bank gateway",
        "openRejects": 2,
    }
    assert summaries["survey"]["lastFailedAt"] is None
    assert summaries["survey"]["openRejects"] == 0


def test_quarantine_filters_and_counts_by_source_and_rule(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """query($filter: QuarantineFilter) { quarantine(filter: $filter) {
      counts { source rule status count }
      records { totalCount edges { node { source recordKey rule reasons raw status
        delivery { source } } } } } }"""
    everything = api.data(query)["quarantine"]
    assert everything["counts"] == [
        {"source": "bank", "rule": "amount_negative", "status": "open", "count": 1},
        {"source": "bank", "rule": "pinfl_checksum", "status": "open", "count": 1},
        {"source": "survey", "rule": "pinfl_checksum", "status": "resolved", "count": 1},
    ]
    assert everything["records"]["totalCount"] == 3
    checksum = api.data(query, {"filter": {"rule": "pinfl_checksum", "status": "open"}})
    (edge,) = checksum["quarantine"]["records"]["edges"]
    assert edge["node"]["recordKey"] == "00873-2022-000009"
    assert edge["node"]["reasons"] == ["PINFL check digit"]
    assert edge["node"]["delivery"] == {"source": "bank"}
