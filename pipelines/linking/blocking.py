"""The saved model's blocking rules as keys: which graph records a delivery could be paired with.

The engine scores a pair only when one of the model's blocking rules holds
(`blocking_rules_to_generate_predictions`). A graph record that shares no rule's key with
any incoming mention can only join the delivery's persons through its own person, which
`candidates` brings in whole; reading it for itself is wasted work (common surname roots
made that most of an agency load).

Each rule is read as its equalities between the two sides (`l."col" = r."col"` and
`substr(l."col", a, b) = substr(r."col", a, b)`) and its parenthesised alternatives of such
equalities and null tests (`(l."sex_eff" = r."sex_eff" OR l."sex_eff" IS NULL OR ...)`, a
null test read as "on either side": a dedupe run orders a pair's sides by row id); a term
of any other shape is left out, which can only widen the match. `reachable` keeps the
records some rule pairs with an incoming mention, both sides read through the engine's
own features; `check_covered` proves each rule has a database lookup (`Family`) that finds
all its pairs.
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
_MISSING: Final = re.compile(r'^[lr]\."(\w+)" IS NULL$')


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


@dataclass(frozen=True)
class Missing:
    """A null test of a blocking rule: the column is null on one side (either: a dedupe
    run orders a pair's sides by their row ids, not by which is incoming)."""

    column: str


Atom = Equality | Missing


@dataclass(frozen=True)
class Rule:
    """A blocking rule as `equalities` and `alternatives` (each a group of atoms of which
    one must hold: a parenthesised OR); terms of any other shape are left out."""

    text: str
    equalities: tuple[Equality, ...]
    alternatives: tuple[tuple[Atom, ...], ...] = ()

    def columns(self) -> set[str]:
        """The whole columns the rule's equalities key on (a given name implies its initial)."""
        columns = {e.column for e in self.equalities if e.length is None}
        return columns | ({"given_initial"} if "given_key" in columns else set())

    def needs_missing(self, column: str) -> bool:
        """Whether the rule holds only where `column` is null on one side."""
        return (Missing(column),) in self.alternatives


@dataclass(frozen=True)
class Family:
    """What a candidate lookup finds: every record equal to an incoming mention on
    `columns` (and, with `missing`, where that column is null on one side)."""

    columns: frozenset[str]
    missing: str | None = None

    def covers(self, rule: Rule) -> bool:
        found = self.columns <= rule.columns()
        return found and (self.missing is None or rule.needs_missing(self.missing))


def _terms(rule: str, separator: str = " AND ") -> list[str]:
    """`rule`'s top-level terms (a separator inside parentheses stays in its term)."""
    terms, depth, start = [], 0, 0
    for index, char in enumerate(rule):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and rule.startswith(separator, index):
            terms.append(rule[start:index].strip())
            start = index + len(separator)
    terms.append(rule[start:].strip())
    return terms


def _equality(term: str) -> Equality | None:
    if matched := _EQUAL.match(term):
        return Equality(matched.group(1))
    if matched := _SUBSTR.match(term):
        return Equality(matched.group(1), int(matched.group(2)) - 1, int(matched.group(3)))
    return None


def _alternatives(term: str) -> tuple[Atom, ...] | None:
    if not (term.startswith("(") and term.endswith(")")):
        return None
    atoms: list[Atom] = []
    for part in _terms(term[1:-1], " OR "):
        atom: Atom | None = _equality(part)
        if atom is None and (matched := _MISSING.match(part)):
            atom = Missing(matched.group(1))
        if atom is None:
            return None
        atoms.append(atom)
    return tuple(dict.fromkeys(atoms))


def parse_rule(text: str) -> Rule:
    equalities, alternatives = [], []
    for term in _terms(text):
        if (equality := _equality(term)) is not None:
            equalities.append(equality)
        elif (group := _alternatives(term)) is not None:
            alternatives.append(group)
    if not equalities:
        raise UncoveredRuleError(f"Blocking rule {text!r} has no equality to look up.")
    return Rule(text, tuple(equalities), tuple(alternatives))


def model_rules(settings: Mapping[str, Any]) -> list[Rule]:
    """The blocking rules of a model's Splink `settings`."""
    rules = settings["blocking_rules_to_generate_predictions"]
    return [parse_rule(r["blocking_rule"] if isinstance(r, Mapping) else str(r)) for r in rules]


def check_covered(rules: Iterable[Rule], families: Iterable[Family]) -> None:
    """Raise unless some family's lookup finds every pair of each rule."""
    known = list(families)
    for rule in rules:
        if not any(family.covers(rule) for family in known):
            raise UncoveredRuleError(f"No candidate lookup finds the pairs of {rule.text!r}.")


def lost_letters(features: pl.DataFrame) -> pl.Expr:
    """True for a mention whose name keys hold a letter an export lost (`?`): the engine
    reads those keys through the frame it links, so no key of them is certain here."""
    return pl.any_horizontal(
        pl.col(c).str.contains(UNKNOWN_LETTER, literal=True).fill_null(False) for c in NAME_KEYS
    )


def _variants(rule: Rule) -> list[tuple[list[Equality], list[str], list[str]]]:
    """Ways `rule` can hold: (equalities, columns null on the incoming side, on the found
    side), one per choice of an atom in each group of alternatives."""
    variants: list[tuple[list[Equality], list[str], list[str]]] = [(list(rule.equalities), [], [])]
    for group in rule.alternatives:
        grown = []
        for equal, mine, theirs in variants:
            for atom in group:
                if isinstance(atom, Equality):
                    grown.append(([*equal, atom], mine, theirs))
                else:
                    grown.append((equal, [*mine, atom.column], theirs))
                    grown.append((equal, mine, [*theirs, atom.column]))
        variants = grown
    return variants


def _null(columns: list[str]) -> pl.Expr:
    return pl.all_horizontal(pl.col(c).is_null() for c in columns) if columns else pl.lit(True)


def reachable(found: pl.DataFrame, incoming: pl.DataFrame, rules: Iterable[Rule]) -> pl.DataFrame:
    """The rows of `found` (engine features) some rule pairs with a row of `incoming`, and
    those whose name keys lost letters (`lost_letters`)."""
    kept = [found.filter(lost_letters(found))]
    for rule in rules:
        for equal, mine, theirs in _variants(rule):
            names = list(dict.fromkeys(e.name for e in equal))
            side = incoming.filter(_null(mine)).select(e.expr() for e in equal)
            keys = side.unique().drop_nulls()
            if keys.is_empty():
                continue
            probe = found.filter(_null(theirs)).with_columns(e.expr() for e in equal)
            kept.append(probe.join(keys, on=names, how="semi").select(found.columns))
    return pl.concat(kept).unique("unique_id", maintain_order=True)
