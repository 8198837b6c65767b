"""The text of an API key: `mh_<public id>_<secret>`, and the hash the hub keeps of it.

The public id (16 hex digits) is the `api_key` row's primary key, so a request's key is
found with one indexed lookup; the secret (43 URL-safe base64 characters, 256 bits) is
checked against the row's keyed hash with a constant-time comparison. A key is parsed
strictly: any other shape, including surrounding or inner whitespace, is not a key.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "mh"
_KEY = re.compile(r"\Amh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})\Z")


@dataclass(frozen=True, slots=True)
class KeyText:
    key_id: str
    secret: str

    def __str__(self) -> str:
        return f"{PREFIX}_{self.key_id}_{self.secret}"


def new_key_text() -> KeyText:
    return KeyText(key_id=secrets.token_hex(8), secret=secrets.token_urlsafe(32))


def parse_key_text(text: str) -> KeyText | None:
    """The key `text` spells, or None when it is not a key's shape."""
    match = _KEY.match(text)
    if match is None:
        return None
    return KeyText(key_id=match.group(1), secret=match.group(2))


def secret_hash(key: KeyText, pepper: bytes) -> str:
    """HMAC-SHA256 of the whole key under the server's pepper (`hub.access.pepper`)."""
    # `hmac.digest`: the same HMAC in one C call (a quarter less than `hmac.new`'s object,
    # on every request's key check).
    return hmac.digest(pepper, str(key).encode("ascii"), "sha256").hex()


def matches(key: KeyText, stored_hash: str, pepper: bytes) -> bool:
    """Whether `key` is the key `stored_hash` was made from (constant time)."""
    return hmac.compare_digest(secret_hash(key, pepper), stored_hash)
