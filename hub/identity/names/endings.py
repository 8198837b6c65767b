"""Gendered endings: surname -ov/-ev/-ova/-eva, Russian patronymic -ovich/-ovna, and the
Uzbek patronymic markers oʻgʻli (son of) and qizi (daughter of).

All functions take canonical Latin (``transliterate_segment`` output) or, for the markers,
its ``fold_letters`` form, and are pure.
"""

from __future__ import annotations

import re
from typing import Final

from hub.identity.names.transliterate import ends_in_vowel
from hub.identity.types import Sex

_MIN_STEM: Final = 2  # "Lev" is not L + -ev; every real surname stem is longer

# Longest first, so that -ova is not read as -ov + a.
_SURNAME_ENDINGS: Final[tuple[tuple[str, Sex], ...]] = (
    ("ova", "F"),
    ("eva", "F"),
    ("ov", "M"),
    ("ev", "M"),
)
_RU_PATRONYMIC_ENDINGS: Final[tuple[tuple[str, Sex], ...]] = (
    ("ovich", "M"),
    ("evich", "M"),
    ("ovna", "F"),
    ("evna", "F"),
)

# On comparison keys (o→u, q→k, ? = unknown letter): oʻgʻli, ogli, ugli, угли, ўғли, оглы,
# ??ли; qizi, kizi, қизи, кизи, кызы, ?изи.
_SON_MARKER: Final = re.compile(r"[u?][g?]l[iy]")
_DAUGHTER_MARKER: Final = re.compile(r"[k?][iy]z[iy]")


def split_surname(latin: str) -> tuple[str, Sex | None]:
    """The stem of a surname and the sex its ending implies.

    ``abdullayev`` → (``abdullay``, M); ``karimova`` → (``karim``, F); a surname without a
    gendered ending is its own stem with sex ``None``.
    """
    for ending, sex in _SURNAME_ENDINGS:
        if latin.endswith(ending) and len(latin) - len(ending) >= _MIN_STEM:
            return latin[: -len(ending)], sex
    return latin, None


def split_russian_patronymic(latin: str) -> tuple[str, Sex] | None:
    """The father's given name and the person's sex of a Russian-form patronymic, else ``None``.

    ``baxtiyorovich`` → (``baxtiyor``, M); ``abdullayevna`` → (``abdulla``, F): after a
    vowel the ``y`` belongs to the ending (Abdulla → Abdullayevna), not to the name.
    """
    for ending, sex in _RU_PATRONYMIC_ENDINGS:
        if latin.endswith(ending) and len(latin) - len(ending) >= _MIN_STEM:
            stem = latin[: -len(ending)]
            if ending[0] == "e" and stem.endswith("y") and ends_in_vowel(stem[:-1]):
                stem = stem[:-1]
            return stem, sex
    return None


def marker_sex(key: str) -> Sex | None:
    """``M`` for an oʻgʻli marker, ``F`` for a qizi marker, given its ``fold_letters`` form.

    The doubled letters are still there, so that a name such as Qizzi is not a marker.
    """
    if _SON_MARKER.fullmatch(key):
        return "M"
    if _DAUGHTER_MARKER.fullmatch(key):
        return "F"
    return None
