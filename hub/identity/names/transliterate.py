"""Cyrillic (Uzbek and Russian spellings) and variant Latin to canonical Uzbek Latin.

Rules (domain/NAMES.md): ў→oʻ, ғ→gʻ, ш→sh, ч→ch, я→ya, ю→yu, ё→yo, э→e, ҳ→h, х→x, қ→q,
ж→j, й→y, ъ→ʼ, ь dropped; е→ye at word start or after a vowel, else e; ц→s at word start
or after a consonant, ts after a vowel; сҳ→sʼh. Russian-only letters: ы→i, щ→sh.
Karakalpak letters (ә ө ү ң і) map to their nearest Uzbek Latin letters.

Canonical Latin uses ONE apostrophe, ``CANONICAL_APOSTROPHE`` (U+02BB, the official one of
oʻ and gʻ), for oʻ, gʻ and the tutuq alike: sources mix ʻ ‘ ’ ' ` ʼ freely, so telling the
tutuq apart from the oʻ/gʻ mark cannot be done reliably from Latin input anyway.

Latin input gets the same е rule: an ``e`` right after a vowel becomes ``ye``, so the
Russian-era ASCII ``Abdullaev`` reads as ``Abdullayev``, exactly what ``Абдуллаев`` gives.
The 1993 Latin letters ş ç ğ ö ñ are read as sh ch gʻ oʻ ng; other accents are dropped.
"""

from __future__ import annotations

import unicodedata
from typing import Final

CANONICAL_APOSTROPHE: Final = "\u02bb"  # ʻ
_DOUBLE_APOSTROPHE: Final = CANONICAL_APOSTROPHE * 2
_EDGE_MARKS: Final = "-" + CANONICAL_APOSTROPHE

APOSTROPHES: Final = frozenset("\u02bb\u02bc\u2018\u2019'`\u00b4\u02b9\u02bd\u2032")
"""Every character the sources use as the oʻ/gʻ mark or the tutuq."""

LATIN_VOWELS: Final = frozenset("aeiou")
_O_APOSTROPHE: Final = "o" + CANONICAL_APOSTROPHE

_CYRILLIC: Final[dict[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": CANONICAL_APOSTROPHE, "ы": "i", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ў": "o" + CANONICAL_APOSTROPHE, "қ": "q", "ғ": "g" + CANONICAL_APOSTROPHE,
    "ҳ": "h", "ә": "a", "ө": "o", "ү": "u", "ң": "ng", "і": "i", "һ": "h", "ұ": "u",
}  # fmt: skip

_LATIN_SPECIAL: Final[dict[str, str]] = {
    "ş": "sh",
    "ç": "ch",
    "ğ": "g" + CANONICAL_APOSTROPHE,
    "ö": "o" + CANONICAL_APOSTROPHE,
    "ñ": "ng",
    "ı": "i",
}


def is_cyrillic_letter(char: str) -> bool:
    """Whether ``char`` is a letter of the Cyrillic blocks (U+0400-U+052F)."""
    return "\u0400" <= char <= "\u052f" and char.isalpha()


def is_latin_letter(char: str) -> bool:
    """Whether ``char`` is a Latin letter (ASCII or the Latin-1/Extended/Additional blocks)."""
    if "a" <= char <= "z" or "A" <= char <= "Z":
        return True
    return char.isalpha() and ("\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff")


def transliterate_segment(segment: str) -> str:
    """Canonical Latin (lower case) of one word segment.

    ``segment`` holds Latin or Cyrillic letters in any case, apostrophes of any variant,
    hyphens and ``?`` (an unknown letter, kept as is); any other character is dropped. The
    result holds ASCII letters, ``CANONICAL_APOSTROPHE``, ``-`` and ``?``, trimmed by
    ``trim_edges``.
    """
    out: list[str] = []
    segment = segment.lower()
    tail = ""  # the last two characters written so far: the context of the е, э, ц, e rules
    last = len(segment) - 1
    for index, char in enumerate(segment):
        if char in _CYRILLIC or char in "еэц":
            following = segment[index + 1] if index < last else ""
            latin = _cyrillic_letter(char, tail, following)
        elif char in APOSTROPHES:
            latin = CANONICAL_APOSTROPHE
        elif char in "-?":
            latin = char
        else:
            latin = char if "a" <= char <= "z" else _LATIN_SPECIAL.get(char) or _strip_accent(char)
            if latin == "e" and ends_in_vowel(tail):
                latin = "ye"
        if latin.startswith(CANONICAL_APOSTROPHE) and tail.endswith(CANONICAL_APOSTROPHE):
            # Repeated marks (typed, or ъ after ў) are one mark, already here, so that the
            # е after "ўъ" sees ў as its context, as it will when the Latin is read again.
            latin = latin[1:]
        if latin:
            out.append(latin)
            tail = (tail + latin)[-2:]
    return trim_edges("".join(out))


def ends_in_vowel(latin: str) -> bool:
    """Whether canonical Latin ends in a vowel letter (a e i o u or oʻ).

    The е/э/ц/e rules judge the Latin already written, so that ё (yo), ю (yu), ў (oʻ) and
    accented Latin vowels count as vowels whichever way they were spelled.
    """
    return latin[-1:] in LATIN_VOWELS or latin.endswith(_O_APOSTROPHE)


def _cyrillic_letter(char: str, tail: str, following: str) -> str:
    word_start = tail[-1:] in ("", "-")
    if char == "е":
        return "ye" if word_start or ends_in_vowel(tail) else "e"
    if char == "э":
        # Read back as Latin, "e" after a vowel becomes "ye" (see the module docstring);
        # writing "ye" here keeps the canonical spelling a fixed point. Rare in names.
        return "ye" if ends_in_vowel(tail) else "e"
    if char == "ц":
        return "ts" if ends_in_vowel(tail) else "s"
    if char == "с" and following == "ҳ":
        return "s" + CANONICAL_APOSTROPHE  # сҳ is s + tutuq + h, unlike ш (sh)
    return _CYRILLIC[char]


def _strip_accent(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    return base if "a" <= base <= "z" else ""


def trim_edges(latin: str) -> str:
    """``latin`` without hyphens or apostrophes at its edges, except the mark of a final
    oʻ or gʻ, and with repeated apostrophes made single (quotes and dashes, not letters)."""
    while _DOUBLE_APOSTROPHE in latin:
        latin = latin.replace(_DOUBLE_APOSTROPHE, CANONICAL_APOSTROPHE)
    latin = latin.lstrip(_EDGE_MARKS)
    trimmed = latin.rstrip(_EDGE_MARKS)
    kept_mark = latin[len(trimmed) : len(trimmed) + 1] == CANONICAL_APOSTROPHE
    if kept_mark and trimmed[-1:] in ("o", "g"):
        return trimmed + CANONICAL_APOSTROPHE
    return trimmed
