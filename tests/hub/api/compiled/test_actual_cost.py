"""`extensions.cost.actual`: the cost of what a response returned, reported when lower
than the requested cost, on both paths (a compiled root field's JSON text counts its
requested share) and both databases."""

from __future__ import annotations

import asyncio
from typing import Any

from hub.api.access.rows import RowFilters
from hub.api.context import Context
from hub.api.loaders import Loaders
from hub.api.request_database import RequestDatabase
from hub.api.schema import SCHEMA, HubSchema

from ..conftest import DEFAULT_PRINCIPAL
from .conftest import REGULAR, Paths

PAGE = """query($first: Int!) { persons(first: $first, filter: {mahallaCode: "1703202001"}) {
  totalCount edges { node { hubId household { hubId } } } } }"""


def _cost(
    paths: Paths, schema: HubSchema, document: str, variables: dict[str, Any], raw: bool
) -> Any:
    async def execute() -> Any:
        db = RequestDatabase(paths.engine)
        loaders = Loaders(db, RowFilters.of(DEFAULT_PRINCIPAL))
        context = Context(DEFAULT_PRINCIPAL, db, loaders, raw_json=raw)
        result = await schema.execute(document, variables, context_value=context)
        assert not result.errors, result.errors
        assert result.extensions is not None
        return result.data, result.extensions["cost"]

    return asyncio.run(execute())


def test_a_page_not_full_costs_the_edges_it_returned(paths: Paths) -> None:
    for schema in (SCHEMA, REGULAR):
        data, cost = _cost(paths, schema, PAGE, {"first": 50}, raw=False)
        edges = data["persons"]["edges"]
        with_household = sum(1 for e in edges if e["node"]["household"] is not None)
        assert 0 < len(edges) < 50
        assert cost["requested"] == 1 + 1 + 50 * 2  # the connection, totalCount, full page
        assert cost["actual"] == 1 + 1 + len(edges) + with_household


def test_a_full_page_reports_no_actual_cost(paths: Paths) -> None:
    data, cost = _cost(paths, REGULAR, PAGE, {"first": 1}, raw=False)
    assert data["persons"]["edges"][0]["node"]["household"] is not None
    assert cost == {"requested": 4}


def test_a_compiled_root_sent_as_json_text_counts_its_requested_share(paths: Paths) -> None:
    # Not decoded for the count: on PostgreSQL the page is a compiled statement's JSON.
    document = PAGE.replace("{ persons", '{ region(code: "1703") { name } persons')
    _, cost = _cost(paths, SCHEMA, document, {"first": 50}, raw=True)
    assert cost["requested"] == 1 + 102
    if paths.backend == "postgresql":
        assert "actual" not in cost
    else:  # lists go the regular way on SQLite: their data is read
        assert cost["actual"] < cost["requested"]
