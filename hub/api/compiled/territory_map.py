"""Where the fields of regions, districts, mahallas, assistants and a mahalla's
statistics (its indicators row and their JSON breakdowns) lie in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal_column

from hub.api.compiled.json_sql import JsonSql
from hub.api.compiled.kinds import (
    Entries,
    Entry,
    FieldMap,
    Leaf,
    Many,
    One,
    Rows,
    Same,
    col,
    columns,
    json_count,
    many,
    pointing,
)
from hub.api.compiled.statistics_sums import statistics_sums
from hub.api.people.records import HOUSEHOLD, PERSON
from hub.api.scalars import soums_sql
from hub.api.territory.data import ASSISTANT, DISTRICT, INDICATORS, MAHALLA, REGION


def current_assistant_order(child: Any) -> list[ColumnElement[Any]]:
    # Flagged current, else the latest appointment (`territory.data.fetch_current_assistants`).
    return [child.c.is_current.desc(), child.c.appointed_on.desc(), child.c.id.desc()]


MAHALLA_FIELDS: dict[str, FieldMap] = {
    **columns("code", "name", "stir", "district_code", "last_confirmed_at"),
    "district": One("District", DISTRICT, pointing("district_code", "code")),
    "assistant": One(
        "Assistant",
        ASSISTANT,
        lambda row, child: child.c.mahalla_code == row.c.code,
        current_assistant_order,
    ),
    "statistics": One(
        "Statistics", INDICATORS, lambda row, child: child.c.mahalla_code == row.c.code
    ),
    # `persons_in_mahalla`/`households_in_mahalla`: the root lists' default order.
    "persons": Many(
        "Person",
        PERSON,
        lambda row, child: child.c.mahalla_code == row.c.code,
        lambda child: [child.c.hub_id],
        paged_in_sql=True,
    ),
    "households": Many(
        "Household",
        HOUSEHOLD,
        lambda row, child: child.c.mahalla_code == row.c.code,
        lambda child: [child.c.hub_id],
        paged_in_sql=True,
    ),
}

DISTRICT_FIELDS: dict[str, FieldMap] = {
    **columns("code", "name", "region_code"),
    "region": One("Region", REGION, pointing("region_code", "code")),
    "mahallas": many("Mahalla", MAHALLA, "district_code", "code"),
    "statistics": Rows("Statistics", statistics_sums("district"), one=True, postgresql_only=True),
}

REGION_FIELDS: dict[str, FieldMap] = {
    **columns("code", "name", "name_ru", "iso_code"),
    "districts": many("District", DISTRICT, "region_code", "code"),
    "statistics": Rows("Statistics", statistics_sums("region"), one=True, postgresql_only=True),
}

ASSISTANT_FIELDS: dict[str, FieldMap] = {
    **columns("full_name", "phone", "mahalla_code", "appointed_on", "is_current"),
    "assistantId": Leaf(col("id")),
    "mahalla": One("Mahalla", MAHALLA, pointing("mahalla_code", "code")),
}

STATISTICS_FIELDS: dict[str, FieldMap] = {
    **columns("population", "households", "category_mismatches", "computed_at"),
    # A mahalla's own row is one; sums say how many rows they added up.
    "mahallaCount": Leaf(
        lambda row, sql: row.c.mahalla_count if "mahalla_count" in row.c else literal_column("1")
    ),
    "householdsByAssessedCategory": Same(
        "HouseholdCategoryCounts", col("households_by_assessed_category")
    ),
    "householdsByComputedCategory": Same(
        "HouseholdCategoryCounts", col("households_by_computed_category")
    ),
    "employment": Same("EmploymentStatistics"),
    "land": Same("LandStatistics"),
    "loansByProgramme": Entries("ProgrammeFinancing", col("loans_by_program")),
    "notebookEntries": Entries("NotebookCount", col("notebook_entries")),
    "appeals": Same("AppealStatistics"),
}


def entry_number(name: str | None = None) -> Leaf:
    """An entry's value (a number), or its member `name`, 0 when absent."""

    def value(entry: Entry, sql: JsonSql) -> ColumnElement[Any]:
        if name is None:
            return sql.json_value_int(entry.value)
        return func.coalesce(sql.json_int(sql.json_text(entry.value, name)), 0)

    return Leaf(value)


ENTRY_KEY = Leaf(lambda entry, sql: entry.key)


TERRITORY: dict[str, dict[str, FieldMap]] = {
    "Mahalla": MAHALLA_FIELDS,
    "District": DISTRICT_FIELDS,
    "Region": REGION_FIELDS,
    "Assistant": ASSISTANT_FIELDS,
    "Statistics": STATISTICS_FIELDS,
    "HouseholdCategoryCounts": {
        **{f"category{i}": json_count(str(i)) for i in range(1, 5)},
        "unknown": json_count("unknown"),
    },
    "EmploymentStatistics": columns(
        "employed", "unemployed", "self_employed", "entrepreneurs", "public_works", "in_training"
    ),
    "LandStatistics": columns("active_leases", "leased_area_ha"),
    "AppealStatistics": {
        **columns(total="appeals_total", open="appeals_open"),
        "byTopic": Entries("TopicCount", col("appeals_by_topic")),
    },
    "ProgrammeFinancing": {
        "programme": ENTRY_KEY,
        "count": entry_number("count"),
        "amount": Leaf(
            lambda entry, sql: soums_sql(
                func.coalesce(sql.json_int(sql.json_text(entry.value, "amount_tiyin")), 0)
            )
        ),
    },
    "NotebookCount": {"notebook": ENTRY_KEY, "persons": entry_number()},
    "TopicCount": {"topic": ENTRY_KEY, "appeals": entry_number()},
}
