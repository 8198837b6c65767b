"""Building mention frames for linkage tests: one dict per mention, the rest null."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from hub.identity import make_pinfl
from hub.identity.linkage import MENTION_SCHEMA

MAHALLA = "1722202042"


def mention(source: str, key: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(MENTION_SCHEMA)
    row |= {"mention_id": f"{source}/{key}", "source": source, "record_key": key}
    row |= {"mahalla_code": MAHALLA} | fields
    return row


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=MENTION_SCHEMA)


def pinfl(born: date, sex: str, serial: int = 7) -> str:
    return make_pinfl(born, sex, 22, serial)  # type: ignore[arg-type]


def typo(value: str) -> str:
    """``value`` with its 10th digit changed: one substitution, so the check digit fails."""
    digit = str((int(value[9]) + 3) % 10)
    return value[:9] + digit + value[10:]
