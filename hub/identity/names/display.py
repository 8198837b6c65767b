"""The canonical Latin display spelling of a parsed name.

Always surname first, in official Uzbek Latin with ``CANONICAL_APOSTROPHE``; the patronymic
in the Uzbek form (``Baxtiyor oʻgʻli`` / ``Baxtiyor qizi``) whatever form it came in; an
initial as ``A.`` (``Sh.`` for sh). Reading the display again gives the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from hub.identity.names.transliterate import CANONICAL_APOSTROPHE
from hub.identity.types import Sex

_MARKERS: Final[dict[Sex, str]] = {
    "M": f"o{CANONICAL_APOSTROPHE}g{CANONICAL_APOSTROPHE}li",
    "F": "qizi",
}


def display_name(
    surname: str,
    given: Sequence[str],
    given_initial: str | None,
    patronymic: str | None,
    patronymic_sex: Sex | None,
    patronymic_initial: str | None,
) -> str:
    """Join the canonical-Latin parts (lower case) into the display spelling."""
    parts = [capitalise(surname)]
    if given:
        parts.extend(capitalise(word) for word in given)
    elif given_initial is not None:
        parts.append(capitalise(given_initial) + ".")
    if patronymic is not None:
        parts.append(capitalise(patronymic))
        if patronymic_sex is not None:
            parts.append(_MARKERS[patronymic_sex])
    elif patronymic_initial is not None:
        parts.append(capitalise(patronymic_initial) + ".")
    return " ".join(parts)


def capitalise(word: str) -> str:
    """Upper-case the first letter of each hyphen-separated part: ``abdulla-xoʻja`` →
    ``Abdulla-Xoʻja``."""
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
