"""bench_api's servers: single-process uvicorn servers (subprocesses, loopback only, one per
core) each serving both the API (`/graphql`) and the floor (`/floor/...`,
`bench_api_floor.py`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from bench_api_floor import ACCESS_VARIABLE
from server_process import await_answer

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_servers(
    url: str, workers: int, access: str | None = None
) -> list[tuple[subprocess.Popen[bytes], int]]:
    """`workers` single-process uvicorn servers, each on its own loopback port.

    Not one server with `--workers`: its processes share one listening socket and whichever
    wakes first accepts, so the few keep-alive connections of a run sometimes all went to
    one process, and that run measured one core. The load generator instead spreads its
    connections over the servers round-robin, as a load balancer in front of them would.
    """
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for _ in range(workers):
            port = free_port()
            started.append((start_server(url, port, access), port))
    except BaseException:
        stop_servers(started)
        raise
    return started


def stop_servers(servers: list[tuple[subprocess.Popen[bytes], int]]) -> None:
    for process, _ in servers:
        stop_server(process)


def start_server(url: str, port: int, access: str | None = None) -> subprocess.Popen[bytes]:
    # The pepper, like --access, reaches the servers through this process's environment.
    # The key's rate limit stays on but far above what the load generator asks, so its
    # bucket is taken on every request and never refuses one.
    env = dict(
        os.environ,
        HUB_DATABASE_URL=url,
        HUB_API_POOL_SIZE="10",
        HUB_API_MAX_OVERFLOW="20",
        HUB_API_COST_PER_MINUTE_AGENCY=os.environ.get(
            "HUB_API_COST_PER_MINUTE_AGENCY", str(10**12)
        ),
    )
    if access is not None:
        env[ACCESS_VARIABLE] = access
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench_api_floor:create_bench_app",
        "--factory",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}/healthz"
    return await_answer(
        process, lambda client: client.get(url).status_code == 200, "The API server", 60
    )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
