"""Name keys with letters an export lost (``?``) read as the frame's own names.

Windows-1251 has no ў қ ғ ҳ, and some older employment exports write them as ``?``
(../shared/contracts/SOURCES.md): ``Ра?имов`` is Rahimov, Raqimov, Rag'imov or Ro'imov. The
comparison key keeps ``?`` as a letter of its own, so such a name never equals its own
spelling from another source, and misses every blocking rule keyed on a name. Before
blocking, each key with ``?`` becomes the commonest of its expansions (``key_expansions``)
among the frame's complete keys of the same name part; a key none of whose expansions occurs
stays as it was. The record's name is not changed: only the comparison key.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from hub.identity.names import key_expansions
from hub.identity.names.fold import UNKNOWN_LETTER


def fill_lost_letters(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """``frame`` with each ``?`` key of ``columns`` replaced by its frame-wide reading."""
    replaced = []
    for column in columns:
        keys = frame[column].drop_nulls()
        lost = keys.filter(keys.str.contains(UNKNOWN_LETTER, literal=True)).unique().to_list()
        if not lost:
            continue
        complete = keys.filter(~keys.str.contains(UNKNOWN_LETTER, literal=True)).value_counts()
        counts = dict(complete.iter_rows())
        readings = {key: _reading(key, counts) for key in lost}
        replaced.append(pl.col(column).replace(readings))
    return frame.with_columns(replaced) if replaced else frame


def _reading(key: str, counts: dict[str, int]) -> str:
    """The commonest complete key ``key`` can stand for (ties: alphabetical), else ``key``."""
    seen = [(counts[form], form) for form in key_expansions(key) if form in counts]
    if not seen:
        return key
    return min(seen, key=lambda pair: (-pair[0], pair[1]))[1]
