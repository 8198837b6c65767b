"""The canonical Latin display spelling of a parsed name.

Always surname first, in official Uzbek Latin with ``CANONICAL_APOSTROPHE``; the patronymic
in the Uzbek form (``Baxtiyor oʻgʻli`` / ``Baxtiyor qizi``) whatever form it came in; an
initial as ``A.`` (``Sh.`` for sh). Reading the display again gives the same key.
"""

from __future__ import annotations

from typing import Final

from hub.identity.names.transliterate import CANONICAL_APOSTROPHE
from hub.identity.types import Sex

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
    return " ".join(parts)


def capitalise(word: str) -> str:
    """Upper-case the first letter of each hyphen-separated part: ``abdulla-xoʻja`` →
    ``Abdulla-Xoʻja``."""
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
