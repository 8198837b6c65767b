"""GraphiQL is served by the hub itself and works with no network (issue 17).

The browser test drives Debian's Chromium through Playwright against a real server on
127.0.0.1; every request for another host is refused and recorded, so a page that still
reached for a CDN fails here as it would inside a government network.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.graphiql import ASSETS_DIR, asset_versions, graphiql_page
from hub.api.principal import Principal, Role
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from tests.api_callers import as_principal

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HTML = {"Accept": "text/html"}


def test_the_vendored_assets_are_the_pinned_release_files() -> None:
    for name, sha256 in asset_versions().items():
        assert hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest() == sha256, name
    licences = {p.name for p in ASSETS_DIR.glob("LICENSE.*")}
    assert {"LICENSE.react", "LICENSE.react-dom", "LICENSE.graphiql"} <= licences


def test_the_page_names_no_other_host_and_every_asset_it_names_is_served(tmp_path: Path) -> None:
    page = graphiql_page()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page), page
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}", data_dir=tmp_path)
    with TestClient(create_app(settings, api_settings=ApiSettings(graphiql=True))) as client:
        served = client.get("/graphql", headers=HTML).text
        urls = re.findall(r'(?:src|href)="([^"]+)"', served)
        assert len(urls) == 4
        for url in urls:
            response = client.get(url.replace("&amp;", "&"))
            assert response.status_code == 200, url
            assert "immutable" in response.headers["cache-control"]
            name = url.split("?")[0].rsplit("/", 1)[1]
            assert hashlib.sha256(response.content).hexdigest() == asset_versions()[name]


def test_the_assets_are_not_served_when_graphiql_is_off(tmp_path: Path) -> None:
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}", data_dir=tmp_path)
    with TestClient(create_app(settings, api_settings=ApiSettings(graphiql=False))) as client:
        assert client.get("/graphiql-assets/graphiql.min.js").status_code == 404


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served_api(built_graph, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    # The page is what is tested here, not keys (GraphiQL sends one from its headers tab).
    engineer = as_principal(Principal(name="test", role=Role.ENGINEER))
    app = create_app(
        settings, api_settings=ApiSettings(graphiql=True, tune_gc=False), authenticator=engineer
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed and scripts/test could not install it (apt-get).",
)
@pytest.mark.parametrize("built_graph", ["sqlite"], indirect=True)
def test_graphiql_renders_and_runs_a_query_with_no_network(served_api: str) -> None:
    from playwright.sync_api import Route, sync_playwright

    refused: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(served_api):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.route("**/*", only_this_server)
            page.goto(f"{served_api}/graphql")
            editor = page.locator(".graphiql-query-editor .CodeMirror").first
            editor.wait_for(timeout=30_000)
            page.evaluate(
                "document.querySelector('.graphiql-query-editor .CodeMirror')"
                ".CodeMirror.setValue('{ regions { totalCount } }')"
            )
            page.locator(".graphiql-execute-button").click()
            response = page.locator(".graphiql-response")
            response.get_by_text('"totalCount"').wait_for(timeout=30_000)
            text = response.inner_text()
        finally:
            browser.close()
    assert refused == []
    assert re.search(r'"totalCount":\s*\d+', text), text
