"""Reading one whitespace-separated token of a name into typed pieces.

A token such as ``"A.B."``, ``"o‘g‘li"``, ``"Абдуллаев,"`` or ``"Бахтиёрович"`` becomes
pieces: words, initials, patronymic markers, Russian-form patronymics. Tokens repeat far
more than whole names (a few thousand surnames and given names cover a region), so
``read_token`` is cached and the per-name work left is a handful of dictionary hits.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Final

from hub.identity.names.display import capitalise
from hub.identity.names.endings import marker_sex, split_russian_patronymic, split_surname
from hub.identity.names.fold import UNKNOWN_LETTER, comparison_key, fold_letters
from hub.identity.names.issues import NameIssue
from hub.identity.names.transliterate import (
    APOSTROPHES,
    CANONICAL_APOSTROPHE,
    is_cyrillic_letter,
    is_latin_letter,
    transliterate_segment,
    trim_edges,
)
from hub.identity.types import Sex

TOKEN_CACHE_SIZE: Final = 1 << 17

# Uzbek Latin letters written with two characters: undotted, they are still one initial.
_DIGRAPH_INITIALS: Final = frozenset(
    {"sh", "ch", "ng", "yo", "ye", "yu", "ya", "kh", "zh", "dj", "ts"}
    | {"o" + CANONICAL_APOSTROPHE, "g" + CANONICAL_APOSTROPHE}
)
_HYPHENS: Final = frozenset("-\u2010\u2011\u2012\u2013")


class PieceKind(Enum):
    """What a piece of a name is."""

    WORD = "word"
    INITIAL = "initial"
    MARKER = "marker"  # oʻgʻli / qizi
    RUSSIAN_PATRONYMIC = "russian_patronymic"  # Baxtiyorovich / Baxtiyorovna


@dataclass(frozen=True, slots=True)
class Piece:
    """One piece of a name in canonical Latin.

    ``stem`` is the word without its gendered ending (surname) or the father's name (Russian
    patronymic); for other kinds it equals ``latin``. ``sex`` is what the ending or marker
    implies. ``key`` and ``stem_key`` are comparison keys; ``display`` and ``stem_display``
    the capitalised spellings (kept here because tokens repeat far more than names).
    """

    kind: PieceKind
    latin: str
    key: str
    stem: str
    stem_key: str
    sex: Sex | None
    display: str  # ``latin`` capitalised, as the canonical spelling shows it
    stem_display: str


@dataclass(frozen=True, slots=True)
class TokenReading:
    """The pieces of one token and what was noticed while reading it.

    ``foreign`` is the first letter of a script other than Latin or Cyrillic, if any.
    """

    pieces: tuple[Piece, ...]
    notes: frozenset[NameIssue]
    has_latin: bool
    has_cyrillic: bool
    foreign: str | None


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def read_token(token: str) -> TokenReading:
    """Read one whitespace-free token (any case, any script). Pure and never raises."""
    segments: list[tuple[str, bool]] = []  # (lower-case source text, ended by a dot)
    current: list[str] = []
    notes: set[NameIssue] = set()
    has_latin = has_cyrillic = False
    foreign: str | None = None
    for char in unicodedata.normalize("NFC", token).lower():
        if is_latin_letter(char):
            has_latin = True
        elif is_cyrillic_letter(char):
            has_cyrillic = True
        elif char == UNKNOWN_LETTER:
            notes.add(NameIssue.UNKNOWN_LETTERS)
        elif char in APOSTROPHES:
            pass
        elif char in _HYPHENS:
            char = "-"
        elif unicodedata.category(char) == "Mn":
            continue  # a stray combining accent (NFC could not attach it)
        elif char.isalpha():
            foreign = foreign or char
            continue
        else:
            if char.isdigit():
                notes.add(NameIssue.DIGITS_IGNORED)
            _close_segment(segments, current, dotted=char == ".")
            continue
        current.append(char)
    _close_segment(segments, current, dotted=False)
    pieces = tuple(piece for text, dotted in segments for piece in _pieces_of(text, dotted=dotted))
    return TokenReading(pieces, frozenset(notes), has_latin, has_cyrillic, foreign)


def _close_segment(segments: list[tuple[str, bool]], current: list[str], *, dotted: bool) -> None:
    if current:
        segments.append(("".join(current), dotted))
        current.clear()


def _pieces_of(text: str, *, dotted: bool) -> tuple[Piece, ...]:
    return _pieces_of_latin(transliterate_segment(text), dotted=dotted)


def _pieces_of_latin(latin: str, *, dotted: bool) -> tuple[Piece, ...]:
    letters = _letter_count(latin)
    if letters == 0 or (latin == UNKNOWN_LETTER and not dotted):
        return ()  # nothing left, or a lone "?": a lost character, not a name part
    if "-" in latin:
        # "Baxtiyor-oʻgʻli": a marker glued to the name by a hyphen.
        head, _, tail = latin.rpartition("-")
        if head and marker_sex(fold_letters(tail)) is not None:
            return (*_pieces_of_latin(trim_edges(head), dotted=False), _piece(tail, dotted=dotted))
    return (_piece(latin, dotted=dotted),)


def _letter_count(latin: str) -> int:
    return len(latin) - latin.count(CANONICAL_APOSTROPHE) - latin.count("-")


def _piece(latin: str, *, dotted: bool) -> Piece:
    key = comparison_key(latin)
    display = capitalise(latin)
    letters = _letter_count(latin)
    if letters == 1 or (letters == 2 and (dotted or latin in _DIGRAPH_INITIALS)):
        return Piece(PieceKind.INITIAL, latin, key, latin, key, None, display, display)
    sex = marker_sex(fold_letters(latin))
    if sex is not None:
        return Piece(PieceKind.MARKER, latin, key, latin, key, sex, display, display)
    patronymic = split_russian_patronymic(latin)
    if patronymic is not None:
        stem, sex = patronymic
        return Piece(
            PieceKind.RUSSIAN_PATRONYMIC,
            latin,
            key,
            stem,
            comparison_key(stem),
            sex,
            display,
            capitalise(stem),
        )
    stem, sex = split_surname(latin)
    return Piece(PieceKind.WORD, latin, key, stem, comparison_key(stem), sex, display, display)
