"""The saved model's blocking rules as keys: which graph records a delivery could be paired with.

The engine scores a pair only when one of the model's blocking rules holds
(`blocking_rules_to_generate_predictions`). A graph record that shares no rule's key with
any incoming mention can only join the delivery's persons through its own person, which
`candidates` brings in whole; reading it for itself is wasted work (common surname roots
made that most of an agency load).

Each rule is read as the conjunction of its equalities between the two sides
(`l."col" = r."col"` and `substr(l."col", a, b) = substr(r."col", a, b)`); any other term
(a sex agreement that tolerates nulls, a null test) is left out, which can only widen the
match. `reachable` keeps the records equal to an incoming mention on every equality of at
least one rule, both sides read through the engine's own features.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from hub.identity.names.fold import UNKNOWN_LETTER

NAME_KEYS: Final = ("surname_key", "given_key", "patronymic_key")
_EQUAL: Final = re.compile(r'^l\."(\w+)" = r\."\1"$')
_SUBSTR: Final = re.compile(r'^substr\(l\."(\w+)", (\d+), (\d+)\) = substr\(r\."\1", (\2), (\3)\)$')


class UncoveredRuleError(ValueError):
    """A blocking rule of the model keys on nothing the candidate queries can find."""


@dataclass(frozen=True)
class Equality:
    """One equality of a blocking rule: a feature column, or a slice of it."""

    column: str
    start: int = 0  # 0-based, as polars slices
    length: int | None = None

    @property
    def name(self) -> str:
        return self.column if self.length is None else f"{self.column}@{self.start}+{self.length}"

    def expr(self) -> pl.Expr:
        column = pl.col(self.column)
        value = column if self.length is None else column.str.slice(self.start, self.length)
        return value.alias(self.name)


def _terms(rule: str) -> list[str]:
    """`rule`'s top-level AND terms (an AND inside parentheses stays in its term)."""
    terms, depth, start = [], 0, 0
    for index, char in enumerate(rule):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and rule.startswith(" AND ", index):
            terms.append(rule[start:index].strip())
            start = index + len(" AND ")
    terms.append(rule[start:].strip())
    return terms


def _equality(term: str) -> Equality | None:
    if matched := _EQUAL.match(term):
        return Equality(matched.group(1))
    if matched := _SUBSTR.match(term):
        return Equality(matched.group(1), int(matched.group(2)) - 1, int(matched.group(3)))
    return None


def rule_equalities(settings: Mapping[str, Any]) -> list[tuple[Equality, ...]]:
    """Per blocking rule of a model's Splink `settings`: its equalities between the sides."""
    rules = []
    for rule in settings["blocking_rules_to_generate_predictions"]:
        text = rule["blocking_rule"] if isinstance(rule, Mapping) else str(rule)
        found = tuple(e for e in map(_equality, _terms(text)) if e is not None)
        if not found:
            raise UncoveredRuleError(f"Blocking rule {text!r} has no equality to look up.")
        rules.append(found)
    return rules


def check_covered(
    rules: Iterable[tuple[Equality, ...]], families: Iterable[frozenset[str]]
) -> None:
    """Raise unless every rule's whole-column equalities hold one of `families` (the column
    sets a candidate query looks up); a given name's key implies its initial."""
    known = list(families)
    for rule in rules:
        columns = {e.column for e in rule if e.length is None}
        if "given_key" in columns:
            columns.add("given_initial")
        if not any(family <= columns for family in known):
            names = ", ".join(e.name for e in rule)
            raise UncoveredRuleError(
                f"No candidate query finds the pairs of the blocking rule on ({names})."
            )


def lost_letters(features: pl.DataFrame) -> pl.Expr:
    """True for a mention whose name keys hold a letter an export lost (`?`): the engine
    reads those keys through the frame it links, so no key of them is certain here."""
    return pl.any_horizontal(
        pl.col(c).str.contains(UNKNOWN_LETTER, literal=True).fill_null(False) for c in NAME_KEYS
    )


def reachable(
    found: pl.DataFrame, incoming: pl.DataFrame, rules: Iterable[tuple[Equality, ...]]
) -> pl.DataFrame:
    """The rows of `found` (engine features) equal to a row of `incoming` on every equality
    of some rule, and those whose name keys lost letters (`lost_letters`)."""
    kept = [found.filter(lost_letters(found))]
    for rule in rules:
        keys = incoming.select(e.expr() for e in rule).drop_nulls().unique()
        if keys.is_empty():
            continue
        probe = found.with_columns(e.expr() for e in rule)
        hit = probe.join(keys, on=[e.name for e in rule], how="semi")
        kept.append(hit.select(found.columns))
    return pl.concat(kept).unique("unique_id", maintain_order=True)
