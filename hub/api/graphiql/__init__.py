"""GraphiQL served from the hub itself: no request leaves for a CDN.

The hub's users open GraphiQL inside government networks with no way out to the internet,
so the page loads React, ReactDOM and GraphiQL from `assets/`: the released files of the
npm packages named in `assets/MANIFEST.json`, unchanged (their sha256 is pinned there and
checked by the tests), under their MIT licences, which lie beside them.
`scripts/vendor-graphiql` refreshes them.

`graphiql_page()` is the HTML; `graphiql_assets()` the route that serves the files with a
long cache lifetime (their names carry no version, so the page adds `?v=<sha256 prefix>`).
"""

from __future__ import annotations

import html
import json
import os
from functools import cache
from os import PathLike
from pathlib import Path
from typing import Final

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_DIR: Final = Path(__file__).parent / "assets"
ASSETS_PATH: Final = "/graphiql-assets"


@cache
def asset_versions() -> dict[str, str]:
    """Each vendored file's name and its sha256, as MANIFEST.json pins them."""
    manifest = json.loads((ASSETS_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry["sha256"] for entry in manifest["assets"]}


def _url(name: str) -> str:
    return f"{ASSETS_PATH}/{name}?v={asset_versions()[name][:12]}"


_PAGE: Final = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Mahalla Hub · GraphiQL</title>
    <meta name="robots" content="noindex" />
    <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
    <link rel="stylesheet" href="{css}" />
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="{react}"></script>
    <script src="{react_dom}"></script>
    <script src="{graphiql}"></script>
    <script>
      const fetcher = GraphiQL.createFetcher({{ url: {endpoint} }});
      const root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQL, {{
        fetcher,
        defaultEditorToolsVisibility: true,
        shouldPersistHeaders: true,
      }}));
    </script>
  </body>
</html>
"""


def graphiql_page(endpoint: str = "/graphql") -> str:
    """The GraphiQL page for the GraphQL endpoint at `endpoint` (a path on this server)."""
    return _PAGE.format(
        css=html.escape(_url("graphiql.min.css")),
        react=html.escape(_url("react.production.min.js")),
        react_dom=html.escape(_url("react-dom.production.min.js")),
        graphiql=html.escape(_url("graphiql.min.js")),
        endpoint=json.dumps(endpoint),
    )


class _CachedStaticFiles(StaticFiles):
    """The vendored files never change under a given `?v=`: browsers may keep them."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def graphiql_assets() -> Mount:
    """The route serving `assets/` at ASSETS_PATH."""
    return Mount(ASSETS_PATH, app=_CachedStaticFiles(directory=ASSETS_DIR), name="graphiql")
