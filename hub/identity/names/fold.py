"""The comparison key: one spelling for every way the agencies write the same name part.

The key is deliberately coarse. Two spellings of one name must get one key; two different
names sometimes share one too, which is acceptable because a name only confirms what the
identifiers, birth date, sex and place say. Folds, in this order, on canonical Latin:

- apostrophes and hyphens are dropped: ``oʻgʻli`` = ``ogli``, ``Nur-Muhammad`` = ``Nurmuhammad``;
- x→h and q→k, because Windows-1251 turns ҳ into х and қ into к (Xurshid = Хуршид = Hurshid);
- Russian-era Latin digraphs: ``shch``→sh, ``dzh``/``dj``/``zh``→j, ``kh``→h, ``ts``→s;
- o→u, because ў arrives as у in Windows-1251 (Уткир) while Latin without apostrophes writes
  it o (Otkir), so oʻ, o and u must meet;
- ye→yo, which the o→u fold then makes yu: Russian writes ё as е (Бахтиер = Baxtiyor), and
  йў (yoʻ) arrives as йу (yu) in Windows-1251 and as yo without apostrophes (Yoʻldoshev =
  Йулдошев = Yoldoshev), so ye, yo and yu must meet. (The y Russian-era Latin drops after a
  vowel, Abdullaev, is restored before the key is made: see ``transliterate``.)
- w→v, and doubled letters are single (Abdulla = Abdula).

``?`` (a letter Windows-1251 could not encode, one of ў қ ғ ҳ) stays in the key as an
unknown letter; ``keys_match`` knows what it can stand for. Exact equality of keys (for
blocking) treats it as a letter of its own.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Final

from hub.identity.names.transliterate import CANONICAL_APOSTROPHE

UNKNOWN_LETTER: Final = "?"
KEY_SEPARATOR: Final = "|"
"""Joins the surname, given-name and patronymic keys in ``NormalName.key``."""

_FOLDS: Final[tuple[tuple[str, str], ...]] = (
    (CANONICAL_APOSTROPHE, ""),
    ("-", ""),
    # Letters first, so that Windows-1251 кх/зх (kx, zx) meet the digraphs kh/zh below.
    ("x", "h"),
    ("q", "k"),
    ("shch", "sh"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ts", "s"),
    ("ye", "yo"),
    ("o", "u"),  # after this, ye, yo and yu are all "yu"
    ("w", "v"),
)
_DOUBLED: Final = re.compile(r"([a-z])\1+")
MAX_EXPANDED_UNKNOWNS: Final = 6
# The key letters of ў қ ғ ҳ, the letters Windows-1251 exports lose as "?".
_LOST_KEY_LETTERS: Final = ("u", "k", "g", "h")
# Folds a lost ҳ takes part in (дзҳ, зҳ, кҳ/қҳ); a lost ў after y already gives yu.
_REFOLDS: Final = (("dzh", "j"), ("zh", "j"), ("kh", "h"))


def comparison_key(latin: str) -> str:
    """The comparison key of one canonical-Latin name part (see the module docstring).

    ``latin`` is what ``transliterate_segment`` returns (lower case); the key holds ASCII
    letters and ``?``. Pure and total: any string gives a string.
    """
    return _DOUBLED.sub(r"\1", fold_letters(latin))


# Uzbek Latin letters written with two characters (and kept apart by the folds above):
# Shahnoza's initial is Sh, not S, so "Sh." and "S." are different initials.
_DIGRAPH_LETTER_KEYS: Final = frozenset({"sh", "ch", "ng"})


def initial_key(key: str) -> str:
    """The key of the first letter of the name part whose key is `key`: two characters for
    sh, ch and ng (one Uzbek letter each), else one. An initial's own key is its initial
    key, so ``initial_key(a) == initial_key(b)`` says two parts can share an initial."""
    return key[:2] if key[:2] in _DIGRAPH_LETTER_KEYS else key[:1]


def is_initial_key(key: str) -> bool:
    """Whether `key` is only an initial (``a``, ``sh``) rather than a whole name part."""
    return bool(key) and initial_key(key) == key


def fold_letters(latin: str) -> str:
    """``comparison_key`` before doubled letters are made single (for exact word shapes)."""
    key = latin
    for variant, folded in _FOLDS:
        if variant in key:
            key = key.replace(variant, folded)
    return key


def keys_match(first: str, second: str) -> bool:
    """Whether two keys can be the same name, ``?`` standing for any of ў қ ғ ҳ.

    Each ``?`` is replaced by the key letter of each lost letter (u k g h) and the folds it
    blocked are redone (z+ҳ→j, k+ҳ→h, doubled letters), so ``?о?т`` matches ``kut`` (қоўт).
    Whole-name keys are compared part by part (``KEY_SEPARATOR``); a part with more than
    ``MAX_EXPANDED_UNKNOWNS`` unknowns is compared position by position instead, ``?``
    matching any letter.
    """
    if first == second:
        return True
    if UNKNOWN_LETTER not in first and UNKNOWN_LETTER not in second:
        return False
    if KEY_SEPARATOR in first or KEY_SEPARATOR in second:
        first_parts, second_parts = first.split(KEY_SEPARATOR), second.split(KEY_SEPARATOR)
        return len(first_parts) == len(second_parts) and all(
            _part_keys_match(a, b) for a, b in zip(first_parts, second_parts, strict=True)
        )
    return _part_keys_match(first, second)


def _part_keys_match(first: str, second: str) -> bool:
    if first == second:
        return True
    # A key without unknowns is folded already: refolding it could change it (``zh`` of
    # ``kizha``, from Qizqha, is not the ``zh`` of z+ҳ), so it stands for itself only.
    first_forms, second_forms = key_expansions(first), key_expansions(second)
    if first_forms and second_forms:
        return not first_forms.isdisjoint(second_forms)
    return len(first) == len(second) and all(
        UNKNOWN_LETTER in (a, b) or a == b for a, b in zip(first, second, strict=True)
    )


def key_expansions(key: str) -> frozenset[str]:
    """Every ``?``-free key a key with unknown letters can stand for (``keys_match``'s
    expansions); ``{key}`` when it has none, empty when it has too many to expand."""
    return frozenset({key}) if UNKNOWN_LETTER not in key else _expansions(key)


@lru_cache(maxsize=1 << 14)
def _expansions(key: str) -> frozenset[str]:
    """Every key ``key`` can stand for; empty when it has too many unknowns to expand."""
    if key.count(UNKNOWN_LETTER) > MAX_EXPANDED_UNKNOWNS:
        return frozenset()
    choices = [_LOST_KEY_LETTERS if char == UNKNOWN_LETTER else (char,) for char in key]
    return frozenset(_refold("".join(letters)) for letters in itertools.product(*choices))


def _refold(key: str) -> str:
    for variant, folded in _REFOLDS:
        if variant in key:
            key = key.replace(variant, folded)
    return _DOUBLED.sub(r"\1", key)


def fill_wildcards(key: str, other: str) -> str:
    """``key`` with each ``?`` replaced by ``other``'s letter at that position, when the keys
    have the same length (so that a string similarity does not count it as a difference)."""
    if UNKNOWN_LETTER not in key or len(key) != len(other):
        return key
    return "".join(b if a == UNKNOWN_LETTER else a for a, b in zip(key, other, strict=True))
