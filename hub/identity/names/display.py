"""The canonical Latin display spelling of a parsed name.

Always surname first, in official Uzbek Latin with ``CANONICAL_APOSTROPHE``; the patronymic
in the Uzbek form (``Baxtiyor oʻgʻli`` / ``Baxtiyor qizi``) whatever form it came in; an
initial as ``A.`` (``Sh.`` for sh). Reading the display again gives the same key.
"""

from __future__ import annotations

from typing import Final

from hub.identity.names.transliterate import APOSTROPHES, CANONICAL_APOSTROPHE
from hub.identity.types import Sex

TUTUQ: Final = "\u02bc"  # ʼ, the separating sign (Cyrillic ъ), as against oʻ and gʻ
_LETTER_MARKED: Final = frozenset("oOgG")

_MARKERS: Final[dict[Sex, str]] = {
    "M": f"o{CANONICAL_APOSTROPHE}g{CANONICAL_APOSTROPHE}li",
    "F": "qizi",
}


def display_name(
    surname: str, given: str | None, patronymic: str | None, patronymic_sex: Sex | None
) -> str:
    """Join capitalised parts (an initial as ``"A."``) into the display spelling; the
    patronymic gets the Uzbek marker of ``patronymic_sex`` when that is known."""
    parts = [surname]
    if given:
        parts.append(given)
    if patronymic:
        parts.append(patronymic)
        if patronymic_sex is not None:
            parts.append(_MARKERS[patronymic_sex])
    return display_apostrophes(" ".join(parts))


def display_apostrophes(text: str) -> str:
    """`text` with every apostrophe-like sign as official Uzbek Latin prints it: ``ʻ``
    (U+02BB) after o and g (oʻ, gʻ), ``ʼ`` (U+02BC, the tutuq) anywhere else.

    Agencies type ' ` ‘ ’ and more, even within one file (NAMES.md); what the hub serves
    uses these two. Comparison keys ignore apostrophes, so a name read again from its
    display keeps its key."""
    if not any(char in APOSTROPHES for char in text):
        return text
    out: list[str] = []
    previous = ""
    for char in text:
        if char in APOSTROPHES:
            char = CANONICAL_APOSTROPHE if previous in _LETTER_MARKED else TUTUQ
        out.append(char)
        previous = char
    return "".join(out)


def capitalise(word: str) -> str:
    """Upper-case the first letter of each hyphen-separated part: ``abdulla-xoʻja`` →
    ``Abdulla-Xoʻja``."""
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
