"""Where the diagnostics' fields lie in SQL (issue 18's tables): the quarterly ratings of
assistants and of state bodies, a mahalla's category disagreements and notebook findings,
and the monthly series of every level.

The lists read the tables `hub.api.diagnostics.lists_data` pages through, in the orders
its criteria give (`disagreement_criteria`, `finding_criteria`), and a month's figures are
ordered by name as `series_data.fetch_figures` reads them. The public's counts are never
compiled (the walk leaves suppressed counts, and `IndicatorMonth.values`, to the regular
path, which hides them), nor is a mahalla's series for a caller limited to a territory
(`mapping.NOT_FOR_THE_PUBLIC`, `NOT_WITHIN_A_TERRITORY`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, cast, literal, select

from hub.api.compiled.json_sql import JsonSql, NotCompiled
from hub.api.compiled.kinds import (
    Args,
    Arguments,
    Entries,
    FieldMap,
    Leaf,
    Many,
    One,
    Row,
    Rows,
    by_parent,
    col,
    columns,
    pointing,
)
from hub.api.diagnostics import lists_data as lists
from hub.api.diagnostics.periods import checked_months
from hub.api.diagnostics.series_data import FIGURES, REVISIONS
from hub.api.errors import BadUserInputError
from hub.api.people.records import HOUSEHOLD, PERSON
from hub.api.territory.data import ASSISTANT, MAHALLA
from hub.diagnostics.monthly import COUNTRY


def _quarter(column: str) -> Leaf:
    return Leaf(lambda row, sql: sql.quarter(row.c[column]))


def _months(given: dict[str, Any]) -> None:
    """The series' span as `periods.checked_months` accepts it, else the regular path
    (which raises its error)."""
    try:
        checked_months(given["from"], given["to"])
    except (KeyError, BadUserInputError) as exc:
        raise NotCompiled("a span of months the regular path rejects") from exc


MONTHS = Arguments(("from", "to"), _months)


def series(level: str, code: Any = None) -> Rows:
    """The months of the territory `row` (at `level`; `code` instead for the country) that
    have figures from `from` to `to`, ascending: one row per month (level, code, month)."""

    def rows(row: Row, given: Args) -> Select[Any]:
        territory = code if code is not None else row.c.code
        f = FIGURES.c
        return (
            select(f.level, f.code, f.month_on)
            .where(
                f.level == literal(level),
                f.code == territory,
                f.month_on.between(given["from"], given["to"]),
            )
            .group_by(f.level, f.code, f.month_on)
        )

    return Rows("IndicatorMonth", rows, ("month_on",), postgresql_only=True, arguments=MONTHS)


def _of_month(table: Any, row: Row) -> ColumnElement[bool]:
    return and_(
        table.c.level == row.c.level,
        table.c.code == row.c.code,
        table.c.month_on == row.c.month_on,
    )


def _listed(value: str) -> Leaf:
    """A month's figure names or values, in the order of the names."""

    def leaf(row: Row, sql: JsonSql) -> ColumnElement[Any]:
        listed = select(sql.array(FIGURES.c[value], [FIGURES.c.name])).where(
            _of_month(FIGURES, row)
        )
        return sql.embedded(listed.scalar_subquery())

    return Leaf(leaf)


def _component(name: str) -> Leaf:
    """A number of a score component (a JSON object), null when absent."""
    return Leaf(lambda row, sql: cast(sql.json_text(row.value, name), Float))


_in_mahalla = by_parent("mahalla_code", "code")  # the rows of the mahalla `row`


def _disagreeing(child: Any, given: Args) -> list[ColumnElement[bool]]:
    c = child.c
    return [
        c.assessed_category.is_not(None),
        c.computed_category.is_not(None),
        c.assessed_category != c.computed_category,
    ]


def _found(child: Any, given: Args) -> list[ColumnElement[bool]]:
    found = []
    if "notebook" in given:
        found.append(child.c.notebook == given["notebook"])
    if "kind" in given:
        found.append(child.c.finding == given["kind"])
    return found


def _of_quarter(child: Any, given: Args) -> list[ColumnElement[bool]]:
    return [child.c.quarter_on == given["quarter"]]


MAHALLA_DIAGNOSTICS: dict[str, FieldMap] = {
    "monthly": series("mahalla"),
    "assistantRating": One(
        "AssistantRating",
        lists.ASSISTANT_RATING,
        _in_mahalla,
        arguments=Arguments(("quarter",)),
        where=_of_quarter,
    ),
    "categoryDisagreements": Many(
        "CategoryDisagreement",
        lists.EVIDENCE,
        _in_mahalla,
        lambda child: [child.c.rule, child.c.household_id],
        paged_in_sql=True,
        where=_disagreeing,
    ),
    "notebookFindings": Many(
        "NotebookFinding",
        lists.FINDING,
        _in_mahalla,
        lambda child: [child.c.notebook, child.c.finding, child.c.person_id],
        paged_in_sql=True,
        arguments=Arguments(("notebook", "kind")),
        where=_found,
    ),
}

DIAGNOSTICS: dict[str, dict[str, FieldMap]] = {
    "IndicatorMonth": {
        "month": Leaf(lambda row, sql: sql.month(row.c.month_on)),
        "figures": Rows(
            "IndicatorFigure",
            lambda row: select(FIGURES.c.name, FIGURES.c.value).where(_of_month(FIGURES, row)),
            ("name",),
        ),
        "names": _listed("name"),
        "values": _listed("value"),
        "revisions": Rows(
            "IndicatorRevision",
            lambda row: select(REVISIONS).where(_of_month(REVISIONS, row)),
            ("revised_at", "id"),
        ),
    },
    "IndicatorFigure": columns("name", "value"),
    "IndicatorRevision": columns("name", "old_value", "new_value", "reason", "revised_at"),
    "AssistantRating": {
        **columns(
            "mahalla_code",
            "assistant_id",
            "district_code",
            "region_code",
            "score",
            "rank_in_district",
            "rank_in_region",
            "rank_in_country",
        ),
        "quarter": _quarter("quarter_on"),
        "components": Entries("RatingComponent", col("components")),
        "mahalla": One("Mahalla", MAHALLA, pointing("mahalla_code", "code")),
        "assistant": One("Assistant", ASSISTANT, pointing("assistant_id")),
    },
    "RatingComponent": {
        "name": Leaf(lambda row, sql: row.key),
        "value": _component("value"),
        "perHouseholds": _component("per_households"),
        "weight": _component("weight"),
        "points": _component("points"),
    },
    "BodyRating": {
        **columns(
            "body",
            "received",
            "resolved",
            "resolution_rate",
            "median_days",
            "p90_days",
            "overdue_open",
            "rank",
        ),
        "quarter": _quarter("quarter_on"),
    },
    "CategoryDisagreement": {
        **columns(
            "assessed_category",
            "computed_category",
            "income_category",
            "rule",
            "explanation",
            "members",
            "able_adults",
            "income_basis",
            "rules_version",
            statedIncome="stated_income_uzs",
            declaredIncome="declared_income_uzs",
            wageIncome="wage_income_uzs",
            subsidyIncome="subsidy_income_uzs",
            landIncome="land_income_uzs",
            income="income_uzs",
            perCapitaIncome="per_capita_uzs",
            minimumConsumption="mce_uzs",
            asOf="as_of_on",
        ),
        "records": Leaf(lambda row, sql: sql.embedded(row.c.records)),
        "household": One("Household", HOUSEHOLD, pointing("household_id")),
    },
    "NotebookFinding": {
        **columns("notebook", "reason", kind="finding", asOf="as_of_on"),
        "records": Leaf(lambda row, sql: sql.embedded(row.c.records)),
        "person": One("Person", PERSON, pointing("person_id")),
        "household": One("Household", HOUSEHOLD, pointing("household_id")),
    },
}

COUNTRY_SERIES = series("country", literal(COUNTRY))
