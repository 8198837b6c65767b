"""Time the README's first command from a fresh clone to its banner, and count its output.

    uv run python benchmarks/bench_demo.py [--people 20000] [--keep]

Clones this repository (its committed HEAD) into a temporary folder with `../shared`
beside it, runs `./scripts/demo` there on free ports, and measures from the start: when the
GraphQL API first answers a query (before the banner no key is known, so the answer is
its 401 UNAUTHENTICATED: the API is up and refusing unkeyed requests), when the Dagster UI
first answers, when the banner is printed, and how many lines the demo printed before the
banner; then that the engineer key the banner prints answers a query. Then stops the demo
with SIGINT and prints one table. The package cache is whatever this machine's uv cache holds
(warm after one `scripts/setup`). Target (issue 17): the API under 90 s with a warm cache.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BANNER = "Mahalla Hub is serving:"
QUERY = {"query": "{ regions { totalCount } }"}
ENGINEER_KEY = re.compile(r"^\s*engineer\b.*\"Bearer (mh_[0-9a-f]{16}_[A-Za-z0-9_-]{43})\"")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    api_at: float | None = None
    dagster_at: float | None = None
    banner_at: float | None = None
    lines_before_banner: int = 0

    def since(self, moment: float | None) -> str:
        return "-" if moment is None else f"{moment - self.started:.1f} s"


def _watch_output(process: subprocess.Popen[str], timeline: Timeline, log: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        log.append(line.rstrip("\n"))
        if timeline.banner_at is None:
            if BANNER in line:
                timeline.banner_at = time.monotonic()
            elif line.strip():
                timeline.lines_before_banner += 1


def _poll(timeline: Timeline, api: str, dagster: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 900
    while process.poll() is None and time.monotonic() < deadline:
        if timeline.api_at is None:
            try:
                answer = httpx.post(api, json=QUERY, timeout=2)
                if answer.status_code == 401 and _unauthenticated(answer):
                    timeline.api_at = time.monotonic()
            except httpx.TransportError:
                pass
        if timeline.dagster_at is None:
            try:
                if httpx.get(dagster, timeout=2).status_code == 200:
                    timeline.dagster_at = time.monotonic()
            except httpx.TransportError:
                pass
        if timeline.api_at and timeline.dagster_at and timeline.banner_at:
            return
        time.sleep(0.5)


def _unauthenticated(answer: httpx.Response) -> bool:
    try:
        return bool(answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED")
    except (ValueError, KeyError, IndexError, TypeError):
        return False


def _keyed_query(api: str, log: list[str]) -> str:
    """Whether the banner's engineer key answers a query: 'ok', or what went wrong."""
    keys = [m.group(1) for line in log if (m := ENGINEER_KEY.match(line))]
    if not keys:
        return "no engineer key in the banner"
    headers = {"Authorization": f"Bearer {keys[-1]}"}
    try:
        answer = httpx.post(api, json=QUERY, headers=headers, timeout=10)
    except httpx.TransportError as exc:
        return f"failed: {exc}"
    body = answer.json() if answer.status_code == 200 else {}
    return "ok" if body.get("data") else f"HTTP {answer.status_code}: {answer.text[:80]}"


def _clone(workdir: Path) -> Path:
    clone = workdir / "project"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (workdir / "shared").symlink_to(shared)
    return clone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the clone (its data/logs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    clone = _clone(workdir)
    ports = {name: _free_port() for name in ("api", "dagster", "agencies")}
    argv = ["./scripts/demo", "--people", str(args.people)]
    argv += [f"--{name.replace('_', '-')}-port={port}" for name, port in ports.items()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DAGSTER_"))}
    timeline, log = Timeline(), []
    process = subprocess.Popen(
        argv, cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    reader = threading.Thread(target=_watch_output, args=(process, timeline, log), daemon=True)
    reader.start()
    api = f"http://127.0.0.1:{ports['api']}/graphql"
    _poll(timeline, api, f"http://127.0.0.1:{ports['dagster']}/server_info", process)
    keyed = _keyed_query(api, log) if process.poll() is None else "-"
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    reader.join(timeout=10)
    rows = [
        ("first answered API query", timeline.since(timeline.api_at)),
        ("Dagster UI answering", timeline.since(timeline.dagster_at)),
        ("banner printed", timeline.since(timeline.banner_at)),
        ("query with the banner's engineer key", keyed),
        ("lines printed before the banner", str(timeline.lines_before_banner)),
        ("people in the world", f"{args.people:,}"),
        ("main job", next((line for line in log if line.startswith("hub_main_job: fin")), "-")),
    ]
    width = max(len(label) for label, _ in rows)
    sys.stdout.write(f"{'measure':<{width}}  value\n")
    for label, value in rows:
        sys.stdout.write(f"{label:<{width}}  {value}\n")
    if timeline.banner_at is None:
        sys.stdout.write("the banner never came; the demo printed:\n" + "\n".join(log[-40:]) + "\n")
    if args.keep:
        sys.stdout.write(f"clone kept in {clone}\n")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if timeline.banner_at is not None and keyed == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
