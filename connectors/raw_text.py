"""The raw text kept for a rejected record: whole when short, else a prefix, length and hash.

A hostile delivery can put 200 MB on one line or in one attribute; the quarantine keeps at
most `limit` characters of it: the beginning of the text, then a marker with the full length
and the SHA-256 of the delivered text, so that an engineer can tell what arrived and match
it against the agency's copy without the hub storing (or the API serving) all of it.
"""

from __future__ import annotations

import hashlib

CUT_MARKER = "…[cut: "


def cut_marker(length: int, unit: str, sha256: str) -> str:
    """The marker after a kept prefix: `…[cut: 209,715,200 bytes in all, sha256 ab…]`."""
    return f"{CUT_MARKER}{length:,} {unit} in all, sha256 {sha256}]"


def capped(prefix: str, length: int, unit: str, sha256: str, limit: int) -> str:
    """`prefix` shortened so that it and the marker fit in `limit` characters."""
    marker = cut_marker(length, unit, sha256)
    return prefix[: max(limit - len(marker), 0)] + marker


def capped_raw(text: str, limit: int) -> str:
    """`text` itself if it has at most `limit` characters, else its prefix and marker
    (length in characters, hash of its UTF-8 bytes; never longer than `limit`)."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return capped(text, len(text), "characters", digest, limit)


def is_capped(text: str) -> bool:
    """True if `text` ends with the marker of `capped_raw` (an engineer's hint, not proof)."""
    return text.endswith("]") and CUT_MARKER in text
