"""Opaque, signed, expiring page tokens for the tax API's cursor pagination.

A token carries the position after the last item served (updated_at as epoch seconds, tin)
and when it was issued, signed with HMAC-SHA256 so a client cannot forge or edit one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

import orjson


class PageTokenError(ValueError):
    """The page token is forged, damaged or expired (the API answers 400)."""


@dataclass(frozen=True)
class Cursor:
    updated_at: int
    """Epoch seconds of the last item served."""
    tin: str


class PageTokenCodec:
    def __init__(self, secret: bytes, ttl_seconds: float, clock: Callable[[], float]) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:16]

    def encode(self, cursor: Cursor) -> str:
        body = orjson.dumps([cursor.updated_at, cursor.tin, int(self._clock())])
        token = base64.urlsafe_b64encode(body + self._sign(body))
        return token.decode("ascii").rstrip("=")

    def decode(self, token: str) -> Cursor:
        """The cursor in a token; raises PageTokenError if forged, damaged or expired."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError as error:
            raise PageTokenError(
                f"Page token {token[:40]!r} is not a token of this API."
            ) from error
        body, signature = raw[:-16], raw[-16:]
        if len(raw) <= 16 or not hmac.compare_digest(signature, self._sign(body)):
            raise PageTokenError(f"Page token {token[:40]!r} is not a token of this API.")
        updated_at, tin, issued_at = orjson.loads(body)
        age = self._clock() - issued_at
        if age > self._ttl:
            raise PageTokenError(
                f"Page token expired: issued {age:.0f} s ago, valid for {self._ttl:.0f} s. "
                "Start the load again without page_token."
            )
        return Cursor(int(updated_at), str(tin))
