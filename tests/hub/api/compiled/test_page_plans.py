"""A page from the first row says `OFFSET 0` in its statement instead of binding the
offset (`Walk._page_parameters`), so PostgreSQL keeps one generic plan for it instead of
planning every execution; later pages still bind their offset.

That the plan is then generic shows only at size: `benchmarks/bench_api_sql.py` counts
the generic and custom plans of the benchmark's statements (page100: 0 generic before)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event

from hub.api.access.rows import RowFilters
from hub.api.context import Context
from hub.api.loaders import Loaders
from hub.api.request_database import RequestDatabase
from hub.api.schema import SCHEMA

from ..conftest import DEFAULT_PRINCIPAL
from .conftest import Paths

PAGE = """query($after: String) {
  persons(first: 1, after: $after, filter: {mahallaCode: "1703202001"}) {
    edges { cursor node { hubId fullName household { hubId } } } } }"""
NESTED = """{ mahallas(first: 2) { edges { node { code
  households(first: 2) { edges { node { hubId } } } } } } }"""

Statement = tuple[str, dict[str, Any]]


def _run(paths: Paths, document: str, variables: dict[str, Any] | None = None) -> Any:
    """The data and the statements (text, parameters) the compiled path sent."""
    statements: list[Statement] = []
    engine = getattr(paths.engine, "sync_engine", paths.engine)

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        statements.append((statement, dict(parameters or {})))

    async def execute() -> Any:
        db = RequestDatabase(paths.engine)
        context = Context(
            DEFAULT_PRINCIPAL, db, Loaders(db, RowFilters.of(DEFAULT_PRINCIPAL)), audited=False
        )
        result = await SCHEMA.execute(document, variables, context_value=context)
        assert not result.errors, result.errors
        return result.data

    event.listen(engine, "before_cursor_execute", listener)
    try:
        data = asyncio.run(execute())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return data, statements


@pytest.fixture
def compiled_pages(paths: Paths) -> Paths:
    if paths.backend != "postgresql":
        pytest.skip("connections compile on PostgreSQL only")
    return paths


def test_a_first_page_binds_no_offset_and_a_later_page_does(compiled_pages: Paths) -> None:
    first, [(first_sql, first_params)] = _run(compiled_pages, PAGE)
    cursor = first["persons"]["edges"][-1]["cursor"]
    later, [(later_sql, later_params)] = _run(compiled_pages, PAGE, {"after": cursor})
    assert "OFFSET 0" in first_sql and "root_offset" not in first_params
    assert "OFFSET %(root_offset)s" in later_sql and later_params["root_offset"] == 1
    # The pages follow on: the later one starts where the first one ended.
    first_ids = [edge["node"]["hubId"] for edge in first["persons"]["edges"]]
    later_ids = [edge["node"]["hubId"] for edge in later["persons"]["edges"]]
    assert len(first_ids) == 1 and later_ids and not set(first_ids) & set(later_ids)
    assert later_ids[0] > first_ids[-1]


def test_nested_first_pages_bind_no_offset(compiled_pages: Paths) -> None:
    _, [(sql, params)] = _run(compiled_pages, NESTED)
    assert sql.count("OFFSET 0") == 2
    offsets = [value for name, value in params.items() if "offset" in name]
    assert offsets == []
