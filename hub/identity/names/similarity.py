"""How alike two normalised names are: per-part scores for record linkage to weigh.

Each part compares comparison keys with Jaro-Winkler (rapidfuzz), after filling ``?``
wildcards from the other side. A part known only as an initial on either side scores 1.0
when the initials agree and 0.0 when not; a part unknown on either side is ``None`` and
leaves the weighted ``score``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rapidfuzz.distance import JaroWinkler

from hub.identity.names.fold import fill_wildcards, initial_key, is_initial_key, keys_match
from hub.identity.names.parse import NormalName

# A surname is shared by a whole family and a given name by thousands; the patronymic
# separates brothers and cousins but is missing most often. Weights for ``score`` only.
_WEIGHTS: Final = {"surname": 0.45, "given": 0.35, "patronymic": 0.20}


@dataclass(frozen=True, slots=True)
class NameSimilarity:
    """Similarities in [0, 1] per part (``None``: unknown on a side) and their weighted mean.

    ``initials_compatible`` is False when a known given-name or patronymic initial differs.
    """

    surname: float
    given: float | None
    patronymic: float | None
    initials_compatible: bool
    score: float


def name_similarity(first: NormalName, second: NormalName) -> NameSimilarity:
    """Compare two names part by part. Symmetric; never raises."""
    surname = key_similarity(first.surname_key, second.surname_key)
    given = _part_similarity(first.given_key, second.given_key)
    patronymic = _part_similarity(first.patronymic_key, second.patronymic_key)
    weighted = [(surname, _WEIGHTS["surname"])]
    if given is not None:
        weighted.append((given, _WEIGHTS["given"]))
    if patronymic is not None:
        weighted.append((patronymic, _WEIGHTS["patronymic"]))
    score = sum(value * weight for value, weight in weighted) / sum(w for _, w in weighted)
    return NameSimilarity(
        surname=surname,
        given=given,
        patronymic=patronymic,
        initials_compatible=initials_compatible(first, second),
        score=score,
    )


def key_similarity(first: str, second: str) -> float:
    """Jaro-Winkler similarity of two comparison keys; 1.0 when ``keys_match`` says they can
    be the same, else ``?`` counts as the other key's letter at its position."""
    if keys_match(first, second):
        return 1.0
    return float(
        JaroWinkler.normalized_similarity(
            fill_wildcards(first, second), fill_wildcards(second, first)
        )
    )


def initials_compatible(first: NormalName, second: NormalName) -> bool:
    """Whether no known initial of the given name or patronymic contradicts the other name."""
    return all(
        not a or not b or keys_match(initial_key(a), initial_key(b))
        for a, b in (
            (first.given_key, second.given_key),
            (first.patronymic_key, second.patronymic_key),
        )
    )


def _part_similarity(first: str, second: str) -> float | None:
    if not first or not second:
        return None
    if is_initial_key(first) or is_initial_key(second):
        return 1.0 if keys_match(initial_key(first), initial_key(second)) else 0.0
    return key_similarity(first, second)
