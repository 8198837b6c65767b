"""The model's shape as data: comparisons (levels as SQL over feature columns), blocking
rules, and the rules training uses. ``hub linkage train`` fills in m, u and the prior.

Comparisons, most specific level first (Splink scores the first level whose condition holds):

- ``pinfl``: same digits / one substitution or adjacent transposition apart (a typo) /
  both valid, confirmed by their records and different (two people) / otherwise different;
- ``surname``, ``given``, ``patronymic``: comparison keys equal (term-frequency adjusted for
  the surname stem: a common root is weaker evidence than a rare one) / Jaro-Winkler or
  Damerau-Levenshtein close / initials compatible where a side has only an initial /
  given name and surname swapped;
- ``birth``: the records' own dates equal / day and month swapped / one digit apart /
  within a year; a mention without its own date falls back to the date its PINFL encodes,
  except against a mention with the same PINFL (that date would count the PINFL twice);
- ``sex`` (stated, else from the name's form), ``mahalla`` (same mahalla / same district),
  ``passport``, ``phone``, ``tin``: equal / different;
- ``surveyed``: both mentions are survey members / not both (the survey lists each
  resident once, so such a pair needs more evidence than a name and a mahalla).
"""

from __future__ import annotations

from typing import Any, Final

from splink.internals.blocking_rule_creator import BlockingRuleCreator

LINK_THRESHOLD: Final = 0.5
"""A pair at or above this match probability is a link (before the clustering constraints):
the Bayes decision boundary, where a link is more likely right than wrong."""


def _null(*columns: str) -> dict[str, Any]:
    condition = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in columns)
    return {"sql_condition": condition, "label_for_charts": "missing", "is_null_level": True}


def _level(label: str, sql: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "different"}


def _equal_or_different(name: str, column: str) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_levels": [
            _null(column),
            _level("equal", f'"{column}_l" = "{column}_r"'),
            _else(),
        ],
    }


_PINFL: Final = {
    "output_column_name": "pinfl",
    "comparison_levels": [
        _null("pinfl"),
        _level("same PINFL", '"pinfl_l" = "pinfl_r"'),
        _level("one typo apart", 'damerau_levenshtein("pinfl_l", "pinfl_r") <= 1'),
        _level(
            "two confirmed PINFLs",
            '"pinfl_confirmed_l" AND "pinfl_confirmed_r"',
            # Two confirmed different PINFLs are two people; clustering enforces it, and EM
            # (which sees almost no such matches) must not push m to zero.
            m_probability=1e-6,
            fix_m_probability=True,
        ),
        _level("two valid PINFLs", '"pinfl_valid_l" AND "pinfl_valid_r"'),
        _else(),
    ],
}


def _name_part(name: str, column: str, *, tf: bool) -> dict[str, Any]:
    left, right = f'"{column}_l"', f'"{column}_r"'
    exact = _level("equal", f"{left} = {right}")
    if tf:
        exact |= {"tf_adjustment_column": column, "tf_adjustment_weight": 1.0}
    levels = [_null(column), exact]
    if name != "surname":
        short = f"(length({left}) = 1 OR length({right}) = 1)"
        levels += [
            _level(
                "initial compatible",
                f"{short} AND substr({left}, 1, 1) = substr({right}, 1, 1)",
            ),
            _level("initial different", short),
        ]
    levels += [
        _level("very close", f"jaro_winkler_similarity({left}, {right}) >= 0.93"),
        _level("close", f"jaro_winkler_similarity({left}, {right}) >= 0.85"),
    ]
    if name == "given":
        swapped = '"given_key_l" = "surname_key_r" AND "surname_key_l" = "given_key_r"'
        levels.append(_level("swapped with surname", swapped))
    return {"output_column_name": name, "comparison_levels": [*levels, _else()]}


_BIRTH_L: Final = 'coalesce("birth_text_l", "pinfl_birth_text_l")'
_BIRTH_R: Final = 'coalesce("birth_text_r", "pinfl_birth_text_r")'
_SAME_DIGITS_NO_OWN_DATE: Final = (
    '"pinfl_l" = "pinfl_r" AND ("birth_text_l" IS NULL OR "birth_text_r" IS NULL)'
)

_BIRTH: Final = {
    "output_column_name": "birth",
    "comparison_levels": [
        {
            # A date read from a PINFL says nothing new about a pair sharing that PINFL.
            "sql_condition": f"{_BIRTH_L} IS NULL OR {_BIRTH_R} IS NULL"
            f" OR ({_SAME_DIGITS_NO_OWN_DATE})",
            "label_for_charts": "missing",
            "is_null_level": True,
        },
        _level("equal", f"{_BIRTH_L} = {_BIRTH_R}"),
        _level(
            "day and month swapped",
            f'"birth_swapped_l" = {_BIRTH_R}',
            # Rare enough that EM may see none and underflow; a clerk's swap, fixed.
            m_probability=0.002,
            fix_m_probability=True,
        ),
        _level(
            "one digit apart",
            f"damerau_levenshtein({_BIRTH_L}, {_BIRTH_R}) <= 1",
            m_probability=0.01,
            fix_m_probability=True,
        ),
        _level(
            "within a year",
            f"abs(datediff('day', strptime({_BIRTH_L}, '%Y%m%d'),"
            f" strptime({_BIRTH_R}, '%Y%m%d'))) <= 366",
        ),
        _else(),
    ],
}

_MAHALLA: Final = {
    "output_column_name": "mahalla",
    "comparison_levels": [
        _null("mahalla_code"),
        _level("same mahalla", '"mahalla_code_l" = "mahalla_code_r"'),
        _level("same district", '"district_l" = "district_r"'),
        _else(),
    ],
}

SURVEY_BOTH: Final = "both surveyed"
_SURVEYED: Final = {
    # The survey visits each household once: two survey members (of different households;
    # one household's are never one person, see clustering) are rarely one human, a
    # duplicate entry at most. m is fixed (EM sees too few such matches to estimate it);
    # u is the chance two random mentions are both survey members, fitted to each frame
    # (adapt). The survey's duplicates are still linked by a shared PINFL or birth date.
    "output_column_name": "surveyed",
    "comparison_levels": [
        _null("surveyed"),
        _level(
            SURVEY_BOTH,
            '"surveyed_l" AND "surveyed_r"',
            m_probability=0.01,
            fix_m_probability=True,
            u_probability=0.5,
        ),
        {
            **_else(),
            "label_for_charts": "not both surveyed",
            "m_probability": 0.99,
            "fix_m_probability": True,
            "u_probability": 0.5,
        },
    ],
}

COMPARISONS: Final[list[dict[str, Any]]] = [
    _PINFL,
    _name_part("surname", "surname_key", tf=True),
    _name_part("given", "given_key", tf=True),
    _name_part("patronymic", "patronymic_key", tf=False),
    _BIRTH,
    _equal_or_different("sex", "sex_eff"),
    _MAHALLA,
    _equal_or_different("passport", "passport"),
    _equal_or_different("phone", "phone"),
    _equal_or_different("tin", "tin"),
    _SURVEYED,
]

_SEX_AGREES: Final = (
    # The surname key drops the gendered ending (Karimov = Karimova), so a block on it holds
    # brothers and sisters alike; a pair of different sexes is never linked by a name.
    ' AND (l."sex_eff" = r."sex_eff" OR l."sex_eff" IS NULL OR r."sex_eff" IS NULL)'
)

BLOCKING_RULES: Final[list[str]] = [
    'l."pinfl" = r."pinfl"',
    # The PINFL's head is sex, century and birth date: with the surname alone, a common
    # surname's block grew with the square of the population; the given name's initial
    # keeps it near-linear (person_v2).
    'l."pinfl_head" = r."pinfl_head" AND l."surname_key" = r."surname_key"'
    ' AND l."given_initial" = r."given_initial"',
    'l."pinfl_tail" = r."pinfl_tail" AND l."surname_key" = r."surname_key"',
    'l."surname_key" = r."surname_key" AND l."birth_any" = r."birth_any"'
    ' AND l."given_initial" = r."given_initial"' + _SEX_AGREES,
    # A surname written differently (or changed) with the same given name and birth date:
    # within one region, since a country-wide block of a common given name and a birth
    # date grows with the square of the population (a move between regions is still
    # found through the PINFL, phone, passport and TIN rules).
    'l."given_key" = r."given_key" AND l."birth_any" = r."birth_any" AND l."region" = r."region"',
    # A date typo or a day/month swap leaves the year, or the month and day, intact. Within
    # one mahalla (person_v4; a district's block grew faster than the mentions): another
    # mahalla of the district weighs about -7 bits, so such a pair links only through an
    # identifier, which the PINFL, passport, phone and TIN rules block on anyway.
    'l."surname_key" = r."surname_key" AND l."given_key" = r."given_key"'
    ' AND l."mahalla_code" = r."mahalla_code"'
    ' AND substr(l."birth_any", 1, 4) = substr(r."birth_any", 1, 4)',
    'l."surname_key" = r."surname_key" AND l."given_key" = r."given_key"'
    ' AND l."mahalla_code" = r."mahalla_code"'
    ' AND substr(l."birth_any", 5, 4) = substr(r."birth_any", 5, 4)',
    # Name and mahalla alone only where a side has no birth date to block on at all.
    'l."surname_key" = r."surname_key" AND l."given_initial" = r."given_initial"'
    ' AND l."mahalla_code" = r."mahalla_code"'
    ' AND (l."birth_any" IS NULL OR r."birth_any" IS NULL)' + _SEX_AGREES,
    'l."passport" = r."passport"',
    'l."phone" = r."phone"',
    'l."tin" = r."tin"',
]
"""Pairs are scored only when one of these holds: each keys on something a person's records
share even with a typo elsewhere, so comparisons grow near-linearly with mentions
(`bench_linkage.py --scale` prints them, and each rule's own pairs: 41,417 at 100,000
people and 542,523 at 1,000,000 with person_v4's rules, where person_v2's scored 66,349 and
951,385, and person_v1's 81,808 and 2,725,383)."""

PRIOR_RULES: Final[list[str | BlockingRuleCreator]] = [
    'l."pinfl" = r."pinfl" AND l."pinfl_confirmed" AND r."pinfl_confirmed"',
    'l."surname_key" = r."surname_key" AND l."given_key" = r."given_key"'
    ' AND l."birth_text" = r."birth_text" AND l."mahalla_code" = r."mahalla_code"',
]
"""Deterministic rules that admit almost no false links; their share of pairs sets the prior."""
PRIOR_RECALL: Final = 0.9

EM_RULES: Final[list[str]] = [
    'l."pinfl" = r."pinfl"',
    'l."surname_key" = r."surname_key" AND l."birth_text" = r."birth_text"',
    'l."given_key" = r."given_key" AND l."mahalla_code" = r."mahalla_code"',
]
"""Blocks for expectation maximisation: each leaves the comparisons it does not key on free."""


def base_settings() -> dict[str, Any]:
    """Splink settings before training (m and u at Splink's defaults)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": COMPARISONS,
        "blocking_rules_to_generate_predictions": BLOCKING_RULES,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "max_iterations": 20,
        "em_convergence": 0.0001,
    }
