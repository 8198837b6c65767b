"""One GET whose whole answer is bounded: in time from sending to the last byte, and in size
after decompression.

httpx's timeouts bound each network operation, so a server that drips a byte every few
seconds never trips them: here the request has one deadline, checked at every chunk of the
body (and each single wait is cut to the time left when the request starts). A compressed
body is decompressed chunk by chunk and refused as soon as it passes `max_bytes`, so a
"zip bomb" costs at most about one chunk's expansion beyond the bound.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx


class RequestDeadlineError(Exception):
    """The answer did not arrive in full before the request's deadline (transient)."""


class BodyTooLargeError(Exception):
    """The body, decompressed, passed the bound of one page (the agency's fault)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A finished response: status, headers, the request's URL and the whole body."""

    status_code: int
    headers: httpx.Headers
    url: httpx.URL
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _within(timeout: httpx.Timeout, seconds: float) -> httpx.Timeout:
    """`timeout` with every single wait cut to at most `seconds`."""

    def cut(value: float | None) -> float:
        return seconds if value is None else min(value, seconds)

    return httpx.Timeout(
        connect=cut(timeout.connect),
        read=cut(timeout.read),
        write=cut(timeout.write),
        pool=cut(timeout.pool),
    )


def _size_problem(response: httpx.Response, max_bytes: int) -> str | None:
    # A compressed body's length says nothing of its size once decompressed.
    declared = response.headers.get("Content-Length", "")
    plain = "Content-Encoding" not in response.headers
    if plain and declared.isdecimal() and int(declared) > max_bytes:
        return f"the body declares {int(declared):,} bytes"
    return None


def bounded_get(
    client: httpx.Client,
    path: str,
    params: Mapping[str, str | int],
    *,
    seconds: float,
    max_bytes: int,
) -> Answer:
    """GET `path`, the answer read whole within `seconds` and `max_bytes` (decompressed).

    Raises `RequestDeadlineError` or `BodyTooLargeError` (with what was seen), and httpx's
    `TransportError`s as they come.
    """
    deadline = time.monotonic() + seconds
    timeout = _within(client.timeout, seconds)
    with client.stream("GET", path, params=params, timeout=timeout) as response:
        problem = _size_problem(response, max_bytes)
        if problem is not None:
            raise BodyTooLargeError(problem)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLargeError(f"the body passed {max_bytes:,} bytes once decompressed")
            if time.monotonic() > deadline:
                raise RequestDeadlineError(
                    f"the answer was still arriving after {seconds:g} s ({size:,} bytes so far)"
                )
            chunks.append(chunk)
        if time.monotonic() > deadline:
            raise RequestDeadlineError(f"the answer took longer than {seconds:g} s")
        return Answer(response.status_code, response.headers, response.url, b"".join(chunks))
