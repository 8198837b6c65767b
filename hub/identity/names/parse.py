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

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from hub.identity.names.display import display_name
from hub.identity.names.fold import KEY_SEPARATOR
from hub.identity.names.issues import NameIssue
from hub.identity.names.tokens import Piece, PieceKind, TokenReading, read_token
from hub.identity.types import Sex

NAME_CACHE_SIZE: Final = 1 << 18


@dataclass(frozen=True, slots=True)
class NormalName:
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
    - ``key``: the three part keys joined by ``|`` (``abdulay|akmal|bahtiyur``).
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


@dataclass(frozen=True, slots=True)
class NameParse:
    """The outcome of reading a name: ``name``, or ``issue`` and ``message`` saying why not.

    ``notes`` lists what was noticed on the way (mixed scripts, unknown letters, ...).
    """

    name: NormalName | None
    issue: NameIssue | None
    notes: frozenset[NameIssue]
    message: str | None


def parse_name(text: object) -> NameParse:
    """Read one full name in any script, case, order or patronymic form. Never raises."""
    if isinstance(text, str):
        return _parse_text(text)
    if text is None:
        return NameParse(None, NameIssue.EMPTY, frozenset(), "Name is missing.")
    return NameParse(
        None,
        NameIssue.NOT_TEXT,
        frozenset(),
        f"Name {text!r} is a {type(text).__name__}, not text.",
    )


def normalise_name(text: object) -> NormalName | None:
    """``parse_name(text).name``: the normalised name, or ``None`` when it cannot be read."""
    return parse_name(text).name


def clear_name_caches() -> None:
    """Empty the name and token caches (for benchmarks that must start cold)."""
    _parse_text.cache_clear()
    read_token.cache_clear()


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _parse_text(text: str) -> NameParse:
    readings = [read_token(token) for token in text.split()]
    if not readings:
        return _failure(text, NameIssue.EMPTY, "is empty")
    notes: set[NameIssue] = set()
    pieces: list[Piece] = []
    for reading in readings:
        if reading.foreign is not None:
            return _failure(text, NameIssue.UNSUPPORTED_SCRIPT, _foreign_reason(reading))
        notes.update(reading.notes)
        pieces.extend(reading.pieces)
    if any(r.has_latin for r in readings) and any(r.has_cyrillic for r in readings):
        notes.add(NameIssue.MIXED_SCRIPTS)
    if not pieces:
        return _failure(text, NameIssue.NO_LETTERS, "has no letters")
    return _assemble(text, pieces, notes)


@dataclass(slots=True)
class _Roles:
    words: list[Piece]
    initials: list[Piece]
    patronymic: Piece | None = None  # the father's name (WORD) or the -ovich word
    patronymic_sex: Sex | None = None


def _assign_roles(pieces: list[Piece], notes: set[NameIssue]) -> _Roles:
    roles = _Roles(words=[], initials=[])
    previous: Piece | None = None
    for piece in pieces:
        if piece.kind is PieceKind.WORD:
            roles.words.append(piece)
        elif piece.kind is PieceKind.INITIAL:
            roles.initials.append(piece)
        elif piece.kind is PieceKind.MARKER:
            if roles.patronymic is None and roles.words and roles.words[-1] is previous:
                roles.patronymic = roles.words.pop()
                roles.patronymic_sex = piece.sex
            else:
                notes.add(NameIssue.STRAY_MARKER)
        elif roles.patronymic is None:
            roles.patronymic = piece
            roles.patronymic_sex = piece.sex
        else:
            roles.words.append(piece)  # a second -ovich word: keep it as a plain word
        previous = piece
    return roles


def _assemble(text: str, pieces: list[Piece], notes: set[NameIssue]) -> NameParse:
    roles = _assign_roles(pieces, notes)
    words = roles.words
    if not words:
        return _failure(text, NameIssue.NO_SURNAME, "has no surname, only initials or markers")
    at = next((i for i, w in enumerate(words) if w.sex is not None and _is_word(w)), 0)
    if at:
        notes.add(NameIssue.GIVEN_NAME_FIRST)
    surname = words[at]
    given = words[:at] + words[at + 1 :]
    patronymic, patronymic_sex = roles.patronymic, roles.patronymic_sex
    if patronymic is None and len(given) >= 2:
        patronymic = given.pop()
    initials = roles.initials
    given_initial = initials.pop(0) if initials and not given else None
    patronymic_initial = initials[0] if initials and patronymic is None else None

    patronymic_latin = patronymic_key = None
    if patronymic is not None:
        patronymic_latin, patronymic_key = _patronymic_text(patronymic)
    given_key = "".join(w.key for w in given) or _initial_key(given_initial)
    patronymic_key = patronymic_key or _initial_key(patronymic_initial)
    surname_sex = surname.sex if _is_word(surname) else None
    name = NormalName(
        surname=surname.stem,
        given=" ".join(w.latin for w in given) or None,
        patronymic=patronymic_latin,
        initials=given_key[:1] + patronymic_key[:1],
        sex_hint=_sex_hint(surname_sex, patronymic_sex, notes),
        latin=display_name(
            surname.latin,
            [w.latin for w in given],
            given_initial.latin if given_initial else None,
            patronymic_latin,
            patronymic_sex,
            patronymic_initial.latin if patronymic_initial else None,
        ),
        key=KEY_SEPARATOR.join((surname.stem_key, given_key, patronymic_key)),
        surname_key=surname.stem_key,
        given_key=given_key,
        patronymic_key=patronymic_key,
    )
    return NameParse(name, None, frozenset(notes), None)


def _is_word(piece: Piece) -> bool:
    return piece.kind is PieceKind.WORD


def _patronymic_text(piece: Piece) -> tuple[str, str]:
    # A -ovich word's father's name is its stem; a word before a marker is the name itself.
    if piece.kind is PieceKind.RUSSIAN_PATRONYMIC:
        return piece.stem, piece.stem_key
    return piece.latin, piece.key


def _initial_key(piece: Piece | None) -> str:
    return piece.key[:1] if piece is not None else ""


def _sex_hint(surname: Sex | None, patronymic: Sex | None, notes: set[NameIssue]) -> Sex | None:
    if surname is not None and patronymic is not None and surname != patronymic:
        notes.add(NameIssue.SEX_CONFLICT)
        return None
    return surname or patronymic


def _foreign_reason(reading: TokenReading) -> str:
    char = reading.foreign or ""
    return f"contains {char!r} (U+{ord(char):04X}), a letter of neither Latin nor Cyrillic"


def _failure(text: str, issue: NameIssue, reason: str) -> NameParse:
    return NameParse(None, issue, frozenset(), f"Name {text!r} {reason}.")
