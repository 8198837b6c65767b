"""PostGraphile 5 as the third server of `bench_api.py`: install, grant, start, stop.

PostGraphile (`benchmarks/postgraphile/`: package.json and package-lock.json pin its exact
versions, and Node 22 from the npm registry's `node` package, since PostGraphile 5 needs
Node 22 and machines may have an older one) is installed by `npm ci` on first use; the step
is printed, and skipped when the pinned version is installed. It serves the benchmark's
database as `READER`, a role granted SELECT only (so it has no mutations), with the amber
preset (`postgraphile/server.mjs`). Like the project's uvicorn servers, one single-process
server per core, each on its own loopback port, among which the load generator spreads its
connections. Its four queries, written for its generated schema, are
`postgraphile/queries/<query>.graphql`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from server_process import await_answer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

FOLDER = Path(__file__).resolve().parent / "postgraphile"
NODE = FOLDER / "node_modules" / "node" / "bin" / "node"
READER = "hub_bench_postgraphile"
QUERIES = {
    name: (FOLDER / "queries" / f"{name}.graphql").read_text()
    for name in ("person", "dashboard", "page100", "district")
}


def available() -> bool:
    """Whether PostGraphile can be installed here (npm is on the PATH)."""
    return shutil.which("npm") is not None


def _pinned_version() -> str:
    version: str = json.loads((FOLDER / "package.json").read_text())["dependencies"]["postgraphile"]
    return version


def _installed_version() -> str | None:
    installed = FOLDER / "node_modules" / "postgraphile" / "package.json"
    if not (installed.exists() and NODE.exists()):
        return None
    version: str = json.loads(installed.read_text())["version"]
    return version


def install() -> str:
    """Install the pinned PostGraphile and Node (`npm ci`) unless installed; say which."""
    pinned = _pinned_version()
    if _installed_version() == pinned:
        return f"PostGraphile {pinned} installed (benchmarks/postgraphile/node_modules)"
    if not available():
        raise SystemExit("--postgraphile needs npm on the PATH (or pass --no-postgraphile)")
    sys.stdout.write(f"installing PostGraphile {pinned} and Node 22: npm ci in {FOLDER}\n")
    sys.stdout.flush()
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FOLDER, check=True
    )
    if _installed_version() != pinned:
        raise SystemExit(f"npm ci in {FOLDER} did not install PostGraphile {pinned}")
    return f"PostGraphile {pinned} installed by npm ci"


def grant_reader(url: str) -> str:
    """The URL of `url`'s database as `READER`, (re-)granted SELECT on every table of its
    schema and nothing else. The role is the server's (created once); the grants are the
    database's (a re-seeded database has lost them)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    database = make_url(url).database
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": READER}
            )
            if not exists:
                connection.execute(text(f"CREATE ROLE {READER} LOGIN"))
            connection.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {READER}'))
            connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {READER}"))
            connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}"))
    finally:
        engine.dispose()
    reader = make_url(url).set(drivername="postgres", username=READER, password=None)
    return reader.render_as_string(hide_password=False)


def start_servers(
    url: str, count: int, free_port: Callable[[], int]
) -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    """`count` PostGraphile servers serving `url` (a `grant_reader` URL), and their ports."""
    started: list[subprocess.Popen[bytes]] = []
    ports: list[int] = []
    try:
        for _ in range(count):
            ports.append(free_port())
            started.append(_start(url, ports[-1]))
    except BaseException:
        stop_servers(started)
        raise
    return started, ports


def _start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=url, PORT=str(port), NODE_ENV="production")
    process = subprocess.Popen(
        [str(NODE), "server.mjs"], cwd=FOLDER, env=env, stdout=subprocess.DEVNULL
    )
    probe = {"query": "{ __typename }"}
    url = f"http://127.0.0.1:{port}/graphql"
    return await_answer(
        process,
        lambda client: client.post(url, json=probe).status_code == 200,
        "PostGraphile",
        90,
        interval=0.3,
    )


def stop_servers(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
