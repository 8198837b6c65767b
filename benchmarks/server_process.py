"""Waiting for a benchmark's server subprocess to answer (bench_api's servers)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx


def await_answer(
    process: subprocess.Popen[bytes],
    answers: Callable[[httpx.Client], bool],
    what: str,
    seconds: float,
    interval: float = 0.2,
) -> subprocess.Popen[bytes]:
    """Return `process` once `answers(client)` is true; raise if it exits or stays silent
    for `seconds` (and terminate it then)."""
    deadline = time.monotonic() + seconds
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            try:
                if answers(client):
                    return process
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with {process.returncode}.")
            time.sleep(interval)
    process.terminate()
    raise RuntimeError(f"{what} did not answer within {seconds:.0f} s.")
