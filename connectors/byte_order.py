"""The one byte-order-mark rule of every UTF-8 source: a BOM that opens a delivery is dropped.

Windows tools write a UTF-8 byte-order mark (EF BB BF) at the start of a file. The
contracts do not ask for one and do not forbid it, so every UTF-8 source (the register's
CSV files, the survey and appeals JSON Lines files, the land XML files, the APIs' JSON
bodies) accepts it and reads on as if it were not there. Only a mark at the very start
counts: the same bytes anywhere else are part of the text. Windows-1251 sources have no
byte-order mark; those bytes there mean the file is UTF-8 (see `connectors.employment`).
"""

from __future__ import annotations

from typing import Final

UTF8_BOM: Final = b"\xef\xbb\xbf"


def without_bom(start: bytes) -> bytes:
    """`start` (the first line or the whole body of a delivery) without a leading BOM."""
    return start[len(UTF8_BOM) :] if start.startswith(UTF8_BOM) else start
