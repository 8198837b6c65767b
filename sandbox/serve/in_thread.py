"""Serve an ASGI app with uvicorn on a free loopback port in a background thread.

For tests and pipelines that need real HTTP (dropped connections only look like drops over a
real socket). The server stops when the context exits.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[str]:
    """Yield the base URL (http://host:port) while uvicorn serves `app` in a thread.

    Raises RuntimeError if the server does not start within 10 seconds.
    """
    config = uvicorn.Config(app, host=host, port=port or _free_port(host), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sandbox-agencies", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"Sandbox agencies did not start on {host}:{config.port}.")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10.0)
