"""Injected faults: an ASGI middleware in front of the agencies, as a flaky gateway would be.

Faults are decided before authentication, per request, from one seeded stream per source,
so a run with the same seed and the same requests sees the same faults.
"""

from __future__ import annotations

import asyncio
import random

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.serve.settings import BANK_BASE_PATH, TAX_BASE_PATH, FaultSettings

_MALFORMED_BODY = b'{"items": [{"tin": "4123'
_DROPPED_PREFIX = b'{"data": [{"loan_id": '


class ConnectionDroppedError(ConnectionError):
    """Raised after a partial response to make the server close the connection.

    Under uvicorn the client sees the connection closed mid-body; through an in-process
    transport (httpx.ASGITransport, starlette's TestClient) this exception reaches the caller.
    """


def _source_of(path: str) -> str | None:
    if path.startswith(TAX_BASE_PATH + "/"):
        return "tax"
    if path.startswith(BANK_BASE_PATH + "/"):
        return "bank"
    return None


class FaultMiddleware:
    def __init__(self, app: ASGIApp, settings: FaultSettings) -> None:
        self.app = app
        self.settings = settings
        self._streams = {
            source: random.Random(f"{settings.seed}:{source}") for source in ("tax", "bank")
        }
        self.injected: dict[str, dict[str, int]] = {"tax": {}, "bank": {}}
        """Faults injected so far per source and kind (for tests and the benchmark)."""

    def _draw(self, source: str) -> str | None:
        settings, draw = self.settings, self._streams[source].random()
        for kind in ("rate_limited", "server_error", "dropped", "malformed", "slow"):
            rate: float = getattr(settings, kind)
            if draw < rate:
                counts = self.injected[source]
                counts[kind] = counts.get(kind, 0) + 1
                return kind
            draw -= rate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        source = _source_of(scope.get("path", "")) if scope["type"] == "http" else None
        if source is None:
            await self.app(scope, receive, send)
            return
        if source in self.settings.down:
            await _json(send, 503, {"error": f"The {source} agency is down."})
            return
        kind = self._draw(source)
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "rate_limited":
            retry = str(self.settings.retry_after_seconds).encode()
            await _json(send, 429, {"error": "Too many requests."}, [(b"retry-after", retry)])
        elif kind == "server_error":
            status = self._streams[source].choice((500, 503))
            await _json(send, status, {"error": "Injected server error."})
        elif kind == "dropped":
            await _drop(send)
        elif kind == "malformed":
            await _raw(send, 200, _MALFORMED_BODY)
        else:
            await asyncio.sleep(self.settings.slow_seconds)
            await self.app(scope, receive, send)


async def _raw(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _json(
    send: Send, status: int, payload: object, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    await _raw(send, status, orjson.dumps(payload), extra)


async def _drop(send: Send) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _DROPPED_PREFIX, "more_body": True})
    raise ConnectionDroppedError("Injected fault: connection dropped mid-response.")
