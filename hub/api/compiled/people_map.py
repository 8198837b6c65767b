"""Where the fields of persons, households, their addresses and memberships lie in SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, select

from hub.api.activities.data import APPEAL, EMPLOYMENT, LEASE, LOAN, NOTEBOOK, TAX
from hub.api.compiled.json_sql import JsonSql
from hub.api.compiled.kinds import (
    FieldMap,
    Join,
    Leaf,
    LeafList,
    One,
    Row,
    Rows,
    Same,
    col,
    columns,
    many,
    pointing,
)
from hub.api.identity import data as identity
from hub.api.people.records import HOUSEHOLD, MEMBER, PERSON
from hub.api.provenance.data import CONFLICT, SOURCE_RECORD
from hub.api.territory.data import ASSISTANT, MAHALLA


def membership(row: Row, child: Any) -> ColumnElement[bool]:
    return and_(child.c.household_id == row.c.household_id, child.c.person_id == row.c.id)


PERSON_FIELDS: dict[str, FieldMap] = {
    **columns(
        "hub_id",
        "pinfl",
        "full_name",
        "surname",
        "given_name",
        "patronymic",
        "birth_on",
        "sex",
        "occupation",
        "mahalla_code",
        "created_at",
        "updated_at",
        "last_confirmed_at",
    ),
    "household": One("Household", HOUSEHOLD, pointing("household_id")),
    "householdRelation": Leaf(
        lambda row, sql: _scalar_of(MEMBER, membership, row, lambda member: member.c.relation)
    ),
    "mahalla": One("Mahalla", MAHALLA, pointing("mahalla_code", "code")),
    "taxRegistrations": many("TaxRegistration", TAX, "person_id"),
    "employmentHistory": many("EmploymentRecord", EMPLOYMENT, "person_id"),
    "landLeases": many("LandLease", LEASE, "person_id"),
    "loans": many("Loan", LOAN, "person_id"),
    "notebookEntries": many("NotebookEntry", NOTEBOOK, "person_id"),
    "appeals": many("Appeal", APPEAL, "person_id"),
    "sourceRecords": many("SourceRecord", SOURCE_RECORD, "person_id"),
    "conflicts": many("PersonConflict", CONFLICT, "person_id"),
}


def _scalar_of(table: Table, join: Join, row: Row, value: Callable[[Any], Any]) -> Any:
    child = table.alias()
    return select(value(child)).where(join(row, child)).scalar_subquery()


def _category_mismatch(row: Row, sql: JsonSql) -> ColumnElement[Any]:
    assessed, computed = row.c.assessed_category, row.c.computed_category
    return and_(assessed.is_not(None), computed.is_not(None), assessed != computed)


HOUSEHOLD_FIELDS: dict[str, FieldMap] = {
    **columns(
        "hub_id",
        "survey_id",
        "mahalla_code",
        "surveyed_on",
        "assessed_category",
        "computed_category",
        "plot_sotix",
        "last_confirmed_at",
    ),
    "address": Same("Address"),
    "categoryMismatch": Leaf(_category_mismatch),
    "monthlyIncome": Leaf(col("monthly_income_uzs")),  # already whole soums
    "needs": LeafList(col("needs")),
    "mahalla": One("Mahalla", MAHALLA, pointing("mahalla_code", "code")),
    "surveyedBy": One("Assistant", ASSISTANT, pointing("assistant_id")),
    "members": many("HouseholdMember", MEMBER, "household_id"),
    # Household-plot leases of its members (`identity.data.fetch_plot_leases`).
    "plotLeases": Rows(
        "LandLease",
        lambda row: identity.plot_leases(lambda household: household == row.c.id),
        identity.PLOT_LEASE_ORDER[1:],
    ),
}

MEMBER_FIELDS: dict[str, FieldMap] = {
    **columns("member_no", "relation"),
    "person": One("Person", PERSON, pointing("person_id")),
}


PEOPLE: dict[str, dict[str, FieldMap]] = {
    "Person": PERSON_FIELDS,
    "Household": HOUSEHOLD_FIELDS,
    "Address": columns("street", "house", "apartment"),
    "HouseholdMember": MEMBER_FIELDS,
}
