"""schema.graphql at the repository root is the schema the code builds."""

from __future__ import annotations

from hub.api.export import SCHEMA_FILE
from hub.api.schema import schema_sdl


def test_schema_graphql_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `uv run hub export-schema` and commit it."
    )


def test_the_schema_follows_relay_conventions() -> None:
    sdl = schema_sdl()
    assert "interface Node {\n" in sdl
    assert "  node(\n" in sdl
    assert "  nodes(\n" in sdl
    assert "type PageInfo {" in sdl
    assert "scalar Soums" in sdl
    for connection in ("PersonConnection", "HouseholdConnection", "MahallaConnection"):
        assert f"type {connection} {{" in sdl
