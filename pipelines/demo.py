"""The embedded demo: a sandbox world, its agencies, the main job, then the API and Dagster UI.

`run_demo` is what the README's first command ends in (`hub demo`). Everything runs on
this machine: the graph and Dagster's instance in SQLite files under `data/`, the sandbox
playing the agencies on loopback. Ctrl-C stops every process it started.
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
from pathlib import Path

import httpx

from hub.config import load_settings
from pipelines.instance import prepare_dagster_home
from sandbox.generate.world import generate_world
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


def demo_environment(settings: DemoSettings, world: Path, data_dir: Path) -> dict[str, str]:
    """The environment every process of the demo shares (contracts/SOURCES.md variables)."""
    agencies = f"http://{settings.host}:{settings.agencies_port}"
    env = dict(os.environ)
    env.update(
        {
            "HUB_DATA_DIR": str(data_dir),
            "HUB_REGISTRY_DIR": str(world / "registry"),
            "HUB_SURVEY_DIR": str(world / "survey"),
            "HUB_EMPLOYMENT_DIR": str(world / "employment"),
            "HUB_LAND_DIR": str(world / "land"),
            "HUB_APPEALS_DIR": str(world / "appeals"),
            "HUB_TAX_API_URL": f"{agencies}/tax",
            "HUB_TAX_API_TOKEN": env.get("HUB_TAX_API_TOKEN", DEFAULT_TAX_TOKEN),
            "HUB_BANK_API_URL": f"{agencies}/bank",
            "HUB_BANK_API_KEY": env.get("HUB_BANK_API_KEY", DEFAULT_BANK_API_KEY),
            "HUB_API_GRAPHIQL": "true",
            # The sandbox writes its whole world before the first run: no file is half-written.
            "HUB_FILE_SETTLE_SECONDS": env.get("HUB_FILE_SETTLE_SECONDS", "0"),
            "DAGSTER_HOME": str(prepare_dagster_home(data_dir / "dagster_home")),
            "GX_ANALYTICS_ENABLED": "False",
            "DAGSTER_DISABLE_TELEMETRY": "1",
        }
    )
    return env


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
    name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    log.info("starting %s: %s", name, " ".join(argv))
    process = subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True)
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


def ensure_world(world: Path, settings: DemoSettings) -> None:
    if (world / "world.json").exists():
        log.info("using the sandbox world in %s", world)
        return
    log.info("generating a sandbox world of %d people in %s", settings.people, world)
    generate_world(world, settings.people, seed=settings.seed)


def run_main_job(env: dict[str, str]) -> None:
    argv = [_bin("dagster"), "job", "execute", "-m", "pipelines.definitions", "-j", "hub_main_job"]
    log.info("running hub_main_job (every source end to end)")
    completed = subprocess.run(argv, env=env, cwd=env["DAGSTER_HOME"], check=False)
    if completed.returncode != 0:
        raise DemoError(
            "hub_main_job failed; the Dagster UI shows the failed step and its message."
        )


def _stop_on_sigterm() -> None:
    """SIGTERM (a terminal closing, `kill`) stops the demo like Ctrl-C does."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def run_demo(settings: DemoSettings) -> None:
    _stop_on_sigterm()
    data_dir = load_settings().data_dir
    world = data_dir / "world"
    ensure_world(world, settings)
    env = demo_environment(settings, world, data_dir)
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
    with _process("sandbox agencies", agencies_argv, env) as agencies:
        _wait_until_up(
            "sandbox agencies", f"http://{host}:{settings.agencies_port}/health", agencies, 60
        )
        failure: DemoError | None = None
        try:
            run_main_job(env)
        except DemoError as exc:
            failure = exc
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
            _process("GraphQL API", api_argv, env) as api,
            _process("Dagster UI", dagster_argv, env) as dagster,
        ):
            _wait_until_up("GraphQL API", f"http://{host}:{settings.api_port}/healthz", api, 60)
            _wait_until_up(
                "Dagster UI", f"http://{host}:{settings.dagster_port}/server_info", dagster, 180
            )
            _announce(settings, failure)
            _wait_for_interrupt([agencies, api, dagster])


def _announce(settings: DemoSettings, failure: DemoError | None) -> None:
    lines = [
        "",
        "Mahalla Hub is serving:",
        f"  GraphQL API + GraphiQL  http://{settings.host}:{settings.api_port}/graphql",
        f"  Dagster UI              http://{settings.host}:{settings.dagster_port}",
        f"  sandbox agencies        http://{settings.host}:{settings.agencies_port}/tax , /bank",
        "",
        "Try in GraphiQL:",
        EXAMPLE_QUERY,
        "",
        "Ctrl-C stops everything.",
    ]
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
