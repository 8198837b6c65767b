"""Writing the schema's SDL to `schema.graphql` at the repository root."""

from __future__ import annotations

from pathlib import Path

from hub.api.schema import schema_sdl
from hub.config import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema.graphql"


def export_schema(path: Path = SCHEMA_FILE) -> bool:
    """Write the SDL to `path`; return whether the file changed."""
    sdl = schema_sdl()
    if path.exists() and path.read_text(encoding="utf-8") == sdl:
        return False
    path.write_text(sdl, encoding="utf-8")
    return True
