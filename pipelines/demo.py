"""The embedded demo: a sandbox world, its agencies, the main job, then the API and Dagster UI.

`run_demo` is what the README's first command ends in (`hub demo`). Everything runs on
this machine: the graph and Dagster's instance in SQLite files under `data/`, the sandbox
playing the agencies on loopback. Ctrl-C stops every process it started.

The world is dated in the year before today (`demo_base_year`), so its year of deliveries
is past and recent. A later demo reuses `data/world` as long as it exists, also in a later
year: the graph and Dagster's state under `data/` were built from that world (its record
ids, the APIs' cursors), so a world generated anew beside them would mix two worlds. The
banner says when the kept world is dated in another year than a fresh demo would be, and
how to start afresh.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from hub.config import load_settings
from pipelines.demo_keys import DemoKey, banner_lines, create_demo_keys
from pipelines.instance import prepare_dagster_home
from pipelines.job_progress import run_job
from pipelines.monthly_automation import run_monthly_after
from sandbox.generate.dating import check_base_year
from sandbox.generate.world import MANIFEST_FILE, WorldManifest, generate_world
from sandbox.serve.settings import DEFAULT_BANK_API_KEY, DEFAULT_TAX_TOKEN

log = logging.getLogger(__name__)

EXAMPLE_QUERY = """{
  mahallas(first: 3) {
    totalCount
    edges { node { code name assistant { fullName phone } statistics { population households } } }
  }
}"""


class DemoError(RuntimeError):
    """A step of the demo could not start or finish; the message says which and why."""


@dataclass(frozen=True)
class DemoSettings:
    people: int = 20_000
    seed: int = 1
    host: str = "127.0.0.1"
    api_port: int = 8000
    dagster_port: int = 3000
    agencies_port: int = 8701
    base_year: int | None = None
    """The year the world is dated in; None: `demo_base_year()`."""


def demo_base_year(today: date | None = None) -> int:
    """The year before today: a whole year of deliveries, all past and recent. (The tax API
    holds back the revisions a world dates into the next year until their day comes.)"""
    return (today or date.today()).year - 1


@dataclass(frozen=True)
class DemoWorld:
    path: Path
    base_year: int
    notice: str | None = None
    """Set when a kept world is dated in another year than a fresh demo would date it."""


def demo_variables(settings: DemoSettings, world: Path, data_dir: Path) -> dict[str, str]:
    """The hub's settings for the demo world (contracts/SOURCES.md variables), as `hub env`
    prints them: tokens already in the environment are kept."""
    agencies = f"http://{settings.host}:{settings.agencies_port}"
    return {
        "HUB_DATA_DIR": str(data_dir),
        "HUB_REGISTRY_DIR": str(world / "registry"),
        "HUB_SURVEY_DIR": str(world / "survey"),
        "HUB_EMPLOYMENT_DIR": str(world / "employment"),
        "HUB_LAND_DIR": str(world / "land"),
        "HUB_APPEALS_DIR": str(world / "appeals"),
        "HUB_TAX_API_URL": f"{agencies}/tax",
        "HUB_TAX_API_TOKEN": os.environ.get("HUB_TAX_API_TOKEN", DEFAULT_TAX_TOKEN),
        "HUB_BANK_API_URL": f"{agencies}/bank",
        "HUB_BANK_API_KEY": os.environ.get("HUB_BANK_API_KEY", DEFAULT_BANK_API_KEY),
        "HUB_API_GRAPHIQL": "true",
        # The sandbox writes its whole world before the first run: no file is half-written.
        "HUB_FILE_SETTLE_SECONDS": os.environ.get("HUB_FILE_SETTLE_SECONDS", "0"),
        "DAGSTER_HOME": str(prepare_dagster_home(data_dir / "dagster_home")),
        "GX_ANALYTICS_ENABLED": "False",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def demo_environment(settings: DemoSettings, world: Path, data_dir: Path) -> dict[str, str]:
    """The environment every process of the demo shares."""
    return {**os.environ, **demo_variables(settings, world, data_dir)}


def _wait_until_up(name: str, url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoError(f"{name} exited with code {process.returncode} while starting.")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise DemoError(f"{name} did not answer at {url} within {seconds:.0f} s.")


@contextmanager
def _process(
    name: str, argv: list[str], env: dict[str, str], log_file: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`argv` running with its output in `log_file`; stopped (SIGINT, then SIGKILL) on exit."""
    log.info("starting %s (log: %s)", name, log_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as output:
        process = subprocess.Popen(
            argv, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def ensure_world(world: Path, settings: DemoSettings, today: date | None = None) -> DemoWorld:
    """The demo's world: the one in `world` if there is one (see the module's docstring),
    else a new one dated in `settings.base_year` or the year before `today`."""
    base_year = settings.base_year or demo_base_year(today)
    try:
        check_base_year(base_year)
    except ValueError as exc:
        raise DemoError(f"--base-year: {exc}") from exc
    if (world / MANIFEST_FILE).exists():
        dated = WorldManifest.read(world).base_year
        log.info("using the sandbox world in %s, dated %d", world, dated)
        if dated == base_year:
            return DemoWorld(world, dated)
        notice = (
            f"the sandbox world in {world} is dated {dated}; a fresh demo would date it "
            f"{base_year}. To start afresh, stop the demo and remove {world.parent} (the "
            "world, the graph and Dagster's state belong together)."
        )
        return DemoWorld(world, dated, notice)
    log.info(
        "generating a sandbox world of %d people dated %d in %s", settings.people, base_year, world
    )
    generate_world(world, settings.people, seed=settings.seed, base_year=base_year)
    return DemoWorld(world, base_year)


def run_main_job(env: dict[str, str], logs: Path) -> None:
    code, progress = run_job("hub_main_job", env, logs / "hub_main_job.log")
    checks = f"{progress.checks_passed} checks passed, {len(progress.failed_checks)} failed"
    if code != 0 or progress.failed_steps:
        raise DemoError(
            f"hub_main_job failed ({', '.join(progress.failed_steps) or f'exit code {code}'}); "
            f"{checks}. The Dagster UI shows each failed step and its message; the full log "
            f"is {logs / 'hub_main_job.log'}."
        )
    sys.stdout.write(f"hub_main_job: finished, {progress.materialized} assets, {checks}.\n")


def run_monthly_job(env: dict[str, str], logs: Path) -> None:
    """The monthly products for the months the loads made due (indicators, reports),
    run once the API answers: they are not what a first query needs."""
    failed = run_monthly_after(env, logs)
    if failed:
        raise DemoError(
            f"monthly_job failed for {', '.join(failed)}. The Dagster UI shows each failed "
            f"step and its message; the full log is {logs / 'monthly_job.log'}."
        )


def _stop_on_sigterm() -> None:
    """SIGTERM (a terminal closing, `kill`) stops the demo like Ctrl-C does."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def run_demo(settings: DemoSettings) -> None:
    _stop_on_sigterm()
    data_dir = load_settings().data_dir
    demo_world = ensure_world(data_dir / "world", settings)
    world = demo_world.path
    env = demo_environment(settings, world, data_dir)
    logs = data_dir / "logs"
    host = settings.host
    agencies_argv = [
        _bin("sandbox"),
        "serve",
        str(world),
        "--host",
        host,
        "--port",
        str(settings.agencies_port),
    ]
    with _process("sandbox agencies", agencies_argv, env, logs / "agencies.log") as agencies:
        _wait_until_up(
            "sandbox agencies", f"http://{host}:{settings.agencies_port}/health", agencies, 60
        )
        failure: DemoError | None = None
        try:
            run_main_job(env, logs)
        except DemoError as exc:
            failure = exc
        keys = create_demo_keys(env, data_dir)
        api_argv = [_bin("hub"), "api", "--host", host, "--port", str(settings.api_port)]
        dagster_argv = [
            _bin("dagster"),
            "dev",
            "-m",
            "pipelines.definitions",
            "-h",
            host,
            "-p",
            str(settings.dagster_port),
        ]
        with (
            _process("GraphQL API", api_argv, env, logs / "api.log") as api,
            _process("Dagster UI", dagster_argv, env, logs / "dagster.log") as dagster,
        ):
            _wait_until_up("GraphQL API", f"http://{host}:{settings.api_port}/healthz", api, 60)
            _wait_until_up(
                "Dagster UI", f"http://{host}:{settings.dagster_port}/server_info", dagster, 180
            )
            if failure is None:
                try:
                    run_monthly_job(env, logs)
                except DemoError as exc:
                    failure = exc
            _announce(settings, demo_world, failure, logs, keys, data_dir / "reports")
            _wait_for_interrupt([agencies, api, dagster])


def _announce(
    settings: DemoSettings,
    world: DemoWorld,
    failure: DemoError | None,
    logs: Path,
    keys: list[DemoKey],
    reports: Path,
) -> None:
    api = f"http://{settings.host}:{settings.api_port}/graphql"
    dagster = f"http://{settings.host}:{settings.dagster_port}"
    lines = [
        "",
        "Mahalla Hub is serving:",
        f"  GraphQL API + GraphiQL  {api}",
        f"  Dagster UI              {dagster}",
        f"  sandbox agencies        http://{settings.host}:{settings.agencies_port}/tax , /bank",
        f"  sandbox world           {world.path}, dated {world.base_year}",
        "",
        "Where to look:",
        f"  data-quality checks     {dagster}/assets (each staged_* asset, its Checks tab)",
        "  the quarantine          GraphiQL: { quarantine { counts { source rule count } } }",
        f"  monthly region reports  {reports / 'index.html'} (one HTML file per region and "
        "month; also the monthly_report asset's metadata)",
        f"  logs                    {logs}/ (hub_main_job.log, api.log, dagster.log)",
        "",
        *banner_lines(keys),
        "",
        "Try in GraphiQL (with a key):",
        EXAMPLE_QUERY,
        "",
        "Ctrl-C stops everything.",
    ]
    if world.notice is not None:
        lines.insert(1, f"NOTE: {world.notice}")
    if failure is not None:
        lines.insert(1, f"WARNING: {failure}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _wait_for_interrupt(processes: list[subprocess.Popen[bytes]]) -> None:
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        stopped = next(p for p in processes if p.poll() is not None)
        raise DemoError(f"{stopped.args!r} stopped (code {stopped.returncode}).")
    except KeyboardInterrupt:
        log.info("stopping")
