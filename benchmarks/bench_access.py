"""CPU per request of access control: the key check and the audit log's reading.

    uv run python benchmarks/bench_access.py --database hub_bench --requests 2000

On a graph seeded for bench_api (`--reuse` there keeps one; this script only reads it and
adds one key and audit rows), serves the API in-process and measures, per request, the
CPU time (`time.process_time`, so a busy machine inflates it less than wall time) of:

- the key check with the key cached (`KeyAuthenticator`, the hot path: an HMAC);
- the audit log's reading of a sent response (`AuditRecorder.entries`: parse the body,
  walk it, name the persons) for each of bench_api's four queries; it runs after the
  response is sent but on the same process, so it is the throughput it costs;
- an audit append of a batch of 1 and of 20 entries (I/O, off the request's path).

Beside them, the CPU of a whole request of each query through the ASGI app with access
control (TestClient, one client), so each figure reads as a share of a request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from tempfile import mkdtemp

from bench_api_queries import QUERIES
from seed_graph import DEFAULT_ADMIN_URL
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.requests import Request

from hub.access.audit_chain import AuditEntry, append_entries
from hub.access.keys import KeySpec, create_key
from hub.api.app import create_app
from hub.api.audit import AuditRecorder
from hub.api.context import ExecutedOperation
from hub.api.key_authenticator import KeyAuthenticator
from hub.api.principal import PERSONAL_SCOPE, Principal, Role
from hub.api.schema import SCHEMA
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def _cpu_us(fn: Callable[[], object], repeat: int) -> float:
    fn()
    started = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - started) / repeat * 1e6


def _issue_key(url: str, pepper: str) -> str:
    engine = create_hub_engine(url)
    spec = KeySpec(owner="bench-access", role=Role.ENGINEER, scopes=frozenset({PERSONAL_SCOPE}))
    try:
        with create_session_factory(engine)() as session, session.begin():
            return str(create_key(session, spec, pepper.encode(), datetime.now(UTC)))
    finally:
        engine.dispose()


def _variables(url: str) -> dict[str, dict[str, str]]:
    engine = create_hub_engine(url)
    try:
        with engine.connect() as connection:
            pinfl = connection.scalar(
                text("SELECT pinfl FROM person WHERE pinfl IS NOT NULL LIMIT 1")
            )
            code = connection.scalar(text("SELECT code FROM mahalla ORDER BY code LIMIT 1"))
            district = connection.scalar(text("SELECT code FROM district ORDER BY code LIMIT 1"))
    finally:
        engine.dispose()
    return {
        "person": {"pinfl": pinfl},
        "dashboard": {"code": code},
        "page100": {"code": code},
        "district": {"code": district},
    }


def _key_check(url: str, pepper: str, key: str, repeat: int) -> float:
    engine = create_hub_engine(url)
    checker = KeyAuthenticator(engine, pepper.encode())
    scope = {"type": "http", "headers": [(b"authorization", f"Bearer {key}".encode())]}
    loop = asyncio.new_event_loop()
    try:
        return _cpu_us(lambda: loop.run_until_complete(checker(Request(scope))), repeat)
    finally:
        loop.run_until_complete(checker.aclose())
        loop.close()
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database", default="hub_bench")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    url = make_url(args.admin_url).set(database=args.database)
    url_text = url.render_as_string(hide_password=False)
    upgrade_database(url_text)
    pepper = os.environ.setdefault("HUB_API_KEY_PEPPER", secrets.token_hex(32))
    key = _issue_key(url_text, pepper)
    variables = _variables(url_text)
    rows = [("key check, cached", _key_check(url_text, pepper, key, args.requests))]
    engine = create_hub_engine(url_text)
    recorder = AuditRecorder(engine, SCHEMA._schema)
    principal = Principal(name="bench-access", role=Role.ENGINEER, key_id=key.split("_")[1])
    settings = HubSettings(database_url=url_text, data_dir=Path(mkdtemp(prefix="bench-access-")))
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False))
    audited: list[AuditEntry] = []
    now = datetime.now(UTC)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        for name, query in QUERIES.items():
            body = {"query": query, "variables": variables[name]}
            response = client.post("/graphql", json=body)
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            whole = _cpu_us(lambda b=body: client.post("/graphql", json=b), args.requests // 10)
            ops = [ExecutedOperation(query, variables[name], None)]
            content = response.content
            entries = recorder.entries(principal, ops, content, now)
            audited += entries
            reading = _cpu_us(
                lambda o=ops, c=content: recorder.entries(principal, o, c, now),
                args.requests // 4,
            )
            kind = "audited" if entries else "not personal"
            rows.append((f"{name}: whole request (TestClient, keys+audit on)", whole))
            rows.append((f"{name}: audit reading ({len(content)} B, {kind})", reading))
    for batch in (1, 20):

        def append(batch: int = batch) -> None:
            with engine.connect() as connection:
                append_entries(connection, audited[:1] * batch)

        rows.append((f"audit append, batch of {batch} (off the path)", _cpu_us(append, 50)))
    engine.dispose()
    width = max(len(label) for label, _ in rows)
    sys.stdout.write(f"{'per request':<{width}}  CPU µs\n")
    for label, value in rows:
        sys.stdout.write(f"{label:<{width}}  {value:8.1f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
