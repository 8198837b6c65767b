"""Normalising a full name as any agency writes it into one comparable ``NormalName``.

Word order: the surname is the first word with a gendered surname ending (-ov/-ev/-ova/
-eva), or the first word when none has one; a surname found later marks the name as
given-name-first. The word before an oʻgʻli/qizi marker, or a -ovich/-ovna word, is the
patronymic; otherwise, of the words left after the surname, the last is the patronymic when
there are two or more, and the rest is the given name. Initials fill the given name and
then the patronymic where those words are missing.

``?`` (a letter lost by a Windows-1251 export) is kept in the parts and in the key as a
one-letter wildcard; see ``hub.identity.names.fold``.
"""

from __future__ import annotations

import itertools
from typing import Final, NamedTuple

from hub.identity.names.display import display_apostrophes, display_name
from hub.identity.names.fold import KEY_SEPARATOR, initial_key
from hub.identity.names.issues import NameIssue
from hub.identity.names.tokens import Piece, PieceKind, TokenReading, read_token
from hub.identity.types import Sex

NAME_CACHE_SIZE: Final = 1 << 19  # a region's distinct name strings (~500k per million)
_NO_NOTES: Final[frozenset[NameIssue]] = frozenset()
_NAME_CACHE: dict[str, NameParse] = {}


class NormalName(NamedTuple):
    """A name brought to one comparable structure (all text lower-case canonical Latin).

    - ``surname``: the surname stem without its gendered ending (``abdullay``);
    - ``given``: the given name (``akmal``), ``None`` when only an initial or nothing is known;
    - ``patronymic``: the father's given name (``baxtiyor``) whatever the form, or ``None``;
    - ``initials``: first key letters of given name and patronymic, as far as known (``ab``);
    - ``sex_hint``: from the surname ending and the patronymic form; ``None`` when neither
      tells or they disagree;
    - ``latin``: the canonical display spelling (``Abdullayev Akmal Baxtiyor oʻgʻli``);
    - ``surname_key``, ``given_key``, ``patronymic_key``: comparison keys of the parts; an
      initial-only part has a one-letter key, an unknown part ``""``;
    - ``key``: the three part keys joined by ``|`` (``abdulay|akmal|bahtiyur``);
    - ``surname_display``, ``given_display``, ``patronymic_display``: the parts as the
      display spelling prints them (``Abdullayev``, ``Akmal`` or ``A.``, ``Baxtiyor``).

    Immutable. A NamedTuple rather than a frozen dataclass because a region's staging
    builds hundreds of thousands of these, and a tuple is built three times faster and,
    holding only strings, is left alone by the garbage collector.
    """

    surname: str
    given: str | None
    patronymic: str | None
    initials: str
    sex_hint: Sex | None
    latin: str
    key: str
    surname_key: str
    given_key: str
    patronymic_key: str
    surname_display: str = ""
    given_display: str | None = None
    patronymic_display: str | None = None


class NameParse(NamedTuple):
    """The outcome of reading a name: ``name``, or ``issue`` and ``message`` saying why not.

    ``notes`` lists what was noticed on the way (mixed scripts, unknown letters, ...).
    Immutable (a NamedTuple, for the reason given on ``NormalName``).
    """

    name: NormalName | None
    issue: NameIssue | None
    notes: frozenset[NameIssue]
    message: str | None


def parse_name(text: object) -> NameParse:
    """Read one full name in any script, case, order or patronymic form. Never raises.

    Results are cached by text (names repeat a lot): up to ``NAME_CACHE_SIZE`` entries, the
    oldest quarter dropped when full. A plain dict rather than ``functools.lru_cache``: its
    per-entry link lists made the garbage collector a third of the cost at a million names.
    """
    if isinstance(text, str):
        parsed = _NAME_CACHE.get(text)
        if parsed is None:
            parsed = _parse_text(text)
            if len(_NAME_CACHE) >= NAME_CACHE_SIZE:
                _evict_oldest(NAME_CACHE_SIZE // 4)
            _NAME_CACHE[text] = parsed
        return parsed
    if text is None:
        return NameParse(None, NameIssue.EMPTY, _NO_NOTES, "Name is missing.")
    return NameParse(
        None,
        NameIssue.NOT_TEXT,
        _NO_NOTES,
        f"Name {text!r} is a {type(text).__name__}, not text.",
    )


def normalise_name(text: object) -> NormalName | None:
    """``parse_name(text).name``: the normalised name, or ``None`` when it cannot be read."""
    return parse_name(text).name


def clear_name_caches() -> None:
    """Empty the name and token caches (for benchmarks that must start cold)."""
    _NAME_CACHE.clear()
    read_token.cache_clear()


def _evict_oldest(count: int) -> None:
    # Dicts keep insertion order, so the first keys are the oldest entries.
    for text in list(itertools.islice(_NAME_CACHE, count)):
        _NAME_CACHE.pop(text, None)


def _parse_text(text: str) -> NameParse:
    notes: set[NameIssue] = set()
    pieces: list[Piece] = []
    latin = cyrillic = False
    for token in text.split():
        reading = read_token(token)
        if reading.foreign is not None:
            return _failure(text, NameIssue.UNSUPPORTED_SCRIPT, _foreign_reason(reading))
        if reading.notes:
            notes.update(reading.notes)
        pieces.extend(reading.pieces)
        latin = latin or reading.has_latin
        cyrillic = cyrillic or reading.has_cyrillic
    if not pieces:
        if not text.strip():
            return _failure(text, NameIssue.EMPTY, "is empty")
        return _failure(text, NameIssue.NO_LETTERS, "has no letters")
    if latin and cyrillic:
        notes.add(NameIssue.MIXED_SCRIPTS)
    return _assemble(text, pieces, notes)


def _assign_roles(
    pieces: list[Piece], notes: set[NameIssue]
) -> tuple[list[Piece], list[Piece], Piece | None, Sex | None]:
    """Words, initials, and the patronymic piece with the sex its form implies."""
    words: list[Piece] = []
    initials: list[Piece] = []
    patronymic: Piece | None = None  # the father's name (WORD) or the -ovich word
    patronymic_sex: Sex | None = None
    previous: Piece | None = None
    for piece in pieces:
        kind = piece.kind
        if kind is PieceKind.WORD:
            words.append(piece)
        elif kind is PieceKind.INITIAL:
            initials.append(piece)
        elif kind is PieceKind.MARKER:
            if patronymic is None and words and words[-1] is previous:
                patronymic, patronymic_sex = words.pop(), piece.sex
            else:
                notes.add(NameIssue.STRAY_MARKER)
        elif patronymic is None:
            patronymic, patronymic_sex = piece, piece.sex
        else:
            words.append(piece)  # a second -ovich word: keep it as a plain word
        previous = piece
    return words, initials, patronymic, patronymic_sex


def _assemble(text: str, pieces: list[Piece], notes: set[NameIssue]) -> NameParse:
    words, initials, patronymic, patronymic_sex = _assign_roles(pieces, notes)
    if not words:
        return _failure(text, NameIssue.NO_SURNAME, "has no surname, only initials or markers")
    at = next((i for i, w in enumerate(words) if w.sex is not None and _is_word(w)), 0)
    if at:
        notes.add(NameIssue.GIVEN_NAME_FIRST)
    surname = words[at]
    given = words[:at] + words[at + 1 :]
    if patronymic is None and len(given) >= 2:
        patronymic = given.pop()
    given_initial = initials.pop(0) if initials and not given else None
    patronymic_initial = initials[0] if initials and patronymic is None else None
    given_latin, given_key, given_display = _given_parts(given, given_initial)
    patronymic_latin, patronymic_key, patronymic_display = _patronymic_parts(
        patronymic, patronymic_initial
    )
    name = NormalName(
        surname.stem,
        given_latin,
        patronymic_latin,
        given_key[:1] + patronymic_key[:1],
        _sex_hint(surname.sex if _is_word(surname) else None, patronymic_sex, notes),
        display_name(surname.display, given_display, patronymic_display, patronymic_sex),
        KEY_SEPARATOR.join((surname.stem_key, given_key, patronymic_key)),
        surname.stem_key,
        given_key,
        patronymic_key,
        display_apostrophes(surname.display),
        None if given_display is None else display_apostrophes(given_display),
        None if patronymic_display is None else display_apostrophes(patronymic_display),
    )
    return NameParse(name, None, frozenset(notes) if notes else _NO_NOTES, None)


def _is_word(piece: Piece) -> bool:
    return piece.kind is PieceKind.WORD


def _given_parts(given: list[Piece], initial: Piece | None) -> tuple[str | None, str, str | None]:
    """Latin, key and display of the given name, or of its initial when only that is known."""
    if given:
        return (
            " ".join(w.latin for w in given),
            "".join(w.key for w in given),
            " ".join(w.display for w in given),
        )
    return None, *_initial_parts(initial)


def _patronymic_parts(
    piece: Piece | None, initial: Piece | None
) -> tuple[str | None, str, str | None]:
    """Latin, key and display of the father's name, or of its initial."""
    if piece is None:
        return None, *_initial_parts(initial)
    # A -ovich word's father's name is its stem; a word before a marker is the name itself.
    if piece.kind is PieceKind.RUSSIAN_PATRONYMIC:
        return piece.stem, piece.stem_key, piece.stem_display
    return piece.latin, piece.key, piece.display


def _initial_parts(piece: Piece | None) -> tuple[str, str | None]:
    """Key letter and display (``"A."``) of an initial; ``("", None)`` when there is none."""
    if piece is None:
        return "", None
    return initial_key(piece.key), piece.display + "."


def _sex_hint(surname: Sex | None, patronymic: Sex | None, notes: set[NameIssue]) -> Sex | None:
    if surname is not None and patronymic is not None and surname != patronymic:
        notes.add(NameIssue.SEX_CONFLICT)
        return None
    return surname or patronymic


def _foreign_reason(reading: TokenReading) -> str:
    char = reading.foreign or ""
    return f"contains {char!r} (U+{ord(char):04X}), a letter of neither Latin nor Cyrillic"


def _failure(text: str, issue: NameIssue, reason: str) -> NameParse:
    return NameParse(None, issue, _NO_NOTES, f"Name {text!r} {reason}.")
