"""One declared mapping per GraphQL object type: where each field's value lies in SQL.

A type's fields map to

- `Leaf`: a scalar or enum, an SQL expression over the type's row (a column, or a value
  derived in SQL such as `isOpen` or soums from tiyin); how its JSON is written (booleans,
  timestamps, enum names) follows from the field's GraphQL type (`hub.api.compiled.compile`);
- `LeafList`: a list of enum values held as a JSON array column;
- `Same`: an object built from the same row (a household's address, the parts of the
  statistics);
- `One`: a to-one relation, the related table's row matching the join (the first by
  `order` when several may);
- `Many`: a to-many relation, as a Relay connection (`connection=True`) or a list, in its
  default order;
- `Entries`: a list built from the items of a JSON object column, by key (the statistics'
  breakdowns).

A row here is whatever the parent hands down: an alias of the type's table, a page
subquery over it (same column names), or a JSON column (`Same` passes `source`'s result).
The to-many orders are the ones the DataLoaders read with (`hub.api.loaders` takes them
from `ORDERS`), so the compiled and the regular path list in one order, and each order
ends with a unique key so that offsets are stable. `tests/hub/api/compiled` checks every
mapped field against the regular resolvers on every row of the fixture graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, literal_column

from hub.api.activities.data import APPEAL, BUSINESS, EMPLOYMENT, LEASE, LOAN, NOTEBOOK, PARCEL, TAX
from hub.api.compiled.json_sql import JsonSql
from hub.api.people.data import HOUSEHOLD, MEMBER, PERSON
from hub.api.provenance.data import CONFLICT, DELIVERY, SOURCE_RECORD
from hub.api.scalars import soums_sql
from hub.api.territory.data import ASSISTANT, DISTRICT, INDICATORS, MAHALLA, REGION
from hub.api.vocabulary import OPEN_APPEAL_STATUSES

Row = Any  # an alias or subquery of the type's table, or what `Same.source` gave
Expr = Callable[[Row, JsonSql], ColumnElement[Any]]
Join = Callable[[Row, Any], ColumnElement[bool]]
Order = Callable[[Any], list[ColumnElement[Any]]]


@dataclass(frozen=True, slots=True)
class Leaf:
    value: Expr


@dataclass(frozen=True, slots=True)
class LeafList:
    array: Expr  # a JSON array column of stored enum values


@dataclass(frozen=True, slots=True)
class Same:
    type_name: str
    source: Expr | None = None  # what the object's fields read (None: the same row)


@dataclass(frozen=True, slots=True)
class One:
    type_name: str
    table: Table
    join: Join
    order: Order | None = None


@dataclass(frozen=True, slots=True)
class Many:
    type_name: str
    table: Table
    join: Join
    order: Order
    connection: bool = True
    # Paged in SQL as the root lists are (`pagination.paginate_rows`: an empty page has no
    # next page), rather than cut from a loaded list (`connection_of_list`).
    paged_in_sql: bool = False


@dataclass(frozen=True, slots=True)
class Entries:
    type_name: str
    column: Expr  # a JSON object column; the items' fields read `Entry` rows


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a JSON object column: its key (text) and value (JSON)."""

    key: ColumnElement[Any]
    value: ColumnElement[Any]


FieldMap = Leaf | LeafList | Same | One | Many | Entries

# The default order of each to-many relation, by (table, parent column): the DataLoaders
# read with the same columns (`hub.api.loaders`).
ORDERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("tax_registration", "person_id"): ("registered_on", "tin"),
    ("employment_record", "person_id"): ("status_on", "record_no"),
    ("land_lease", "person_id"): ("start_on", "lease_id"),
    ("loan", "person_id"): ("issued_on", "loan_id"),
    ("notebook_entry", "person_id"): ("notebook", "source", "record_key"),
    ("appeal", "person_id"): ("received_at", "appeal_id"),
    ("source_record", "person_id"): ("source", "record_key"),
    ("person_conflict", "person_id"): ("attribute", "source", "record_key"),
    ("household_member", "household_id"): ("member_no", "person_id"),
    ("district", "region_code"): ("code",),
    ("mahalla", "district_code"): ("code",),
}


def col(name: str) -> Expr:
    return lambda row, sql: row.c[name]


def _by_parent(table: Table, parent: str, key: str = "id") -> Join:
    return lambda row, child: child.c[parent] == row.c[key]


def _pointing(column: str, key: str = "id") -> Join:
    """The related row whose `key` the parent's `column` holds."""
    return lambda row, child: child.c[key] == row.c[column]


def _ordered(table: Table, parent: str) -> Order:
    names = ORDERS[(table.name, parent)]
    return lambda child: [child.c[name] for name in names]


def _many(type_name: str, table: Table, parent: str, key: str = "id") -> Many:
    return Many(type_name, table, _by_parent(table, parent, key), _ordered(table, parent))


def _columns(*names: str, **renamed: str) -> dict[str, FieldMap]:
    """Leaves read from columns: GraphQL name = snake-case column, or `renamed`."""
    fields: dict[str, FieldMap] = {}
    for name in names:
        head, *rest = name.split("_")
        fields[head + "".join(part.title() for part in rest)] = Leaf(col(name))
    for graphql_name, column in renamed.items():
        fields[graphql_name] = Leaf(col(column))
    return fields


def _soums(column: str) -> Leaf:
    return Leaf(lambda row, sql: soums_sql(row.c[column]))


def _json_count(name: str) -> Leaf:
    """A category count in a breakdown column, 0 when absent (`HouseholdCategoryCounts.of`)."""
    return Leaf(lambda row, sql: func.coalesce(sql.json_int(sql.json_text(row, name)), 0))


def _current_assistant_order(child: Any) -> list[ColumnElement[Any]]:
    # Flagged current, else the latest appointment (`territory.data.fetch_current_assistants`).
    return [child.c.is_current.desc(), child.c.appointed_on.desc(), child.c.id.desc()]


def _membership(row: Row, child: Any) -> ColumnElement[bool]:
    return and_(child.c.household_id == row.c.household_id, child.c.person_id == row.c.id)


_PERSON_FIELDS: dict[str, FieldMap] = {
    **_columns(
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
    "household": One("Household", HOUSEHOLD, _pointing("household_id")),
    "householdRelation": Leaf(
        lambda row, sql: _scalar_of(MEMBER, _membership, row, lambda member: member.c.relation)
    ),
    "mahalla": One("Mahalla", MAHALLA, _pointing("mahalla_code", "code")),
    "taxRegistrations": _many("TaxRegistration", TAX, "person_id"),
    "employmentHistory": _many("EmploymentRecord", EMPLOYMENT, "person_id"),
    "landLeases": _many("LandLease", LEASE, "person_id"),
    "loans": _many("Loan", LOAN, "person_id"),
    "notebookEntries": _many("NotebookEntry", NOTEBOOK, "person_id"),
    "appeals": _many("Appeal", APPEAL, "person_id"),
    "sourceRecords": _many("SourceRecord", SOURCE_RECORD, "person_id"),
    "conflicts": _many("PersonConflict", CONFLICT, "person_id"),
}


def _scalar_of(table: Table, join: Join, row: Row, value: Callable[[Any], Any]) -> Any:
    from sqlalchemy import select

    child = table.alias()
    return select(value(child)).where(join(row, child)).scalar_subquery()


def _category_mismatch(row: Row, sql: JsonSql) -> ColumnElement[Any]:
    assessed, computed = row.c.assessed_category, row.c.computed_category
    return and_(assessed.is_not(None), computed.is_not(None), assessed != computed)


_HOUSEHOLD_FIELDS: dict[str, FieldMap] = {
    **_columns(
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
    "mahalla": One("Mahalla", MAHALLA, _pointing("mahalla_code", "code")),
    "surveyedBy": One("Assistant", ASSISTANT, _pointing("assistant_id")),
    "members": _many("HouseholdMember", MEMBER, "household_id"),
}

_MEMBER_FIELDS: dict[str, FieldMap] = {
    **_columns("member_no", "relation"),
    "person": One("Person", PERSON, _pointing("person_id")),
}

_MAHALLA_FIELDS: dict[str, FieldMap] = {
    **_columns("code", "name", "stir", "district_code", "last_confirmed_at"),
    "district": One("District", DISTRICT, _pointing("district_code", "code")),
    "assistant": One(
        "Assistant",
        ASSISTANT,
        lambda row, child: child.c.mahalla_code == row.c.code,
        _current_assistant_order,
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

_DISTRICT_FIELDS: dict[str, FieldMap] = {
    **_columns("code", "name", "region_code"),
    "region": One("Region", REGION, _pointing("region_code", "code")),
    "mahallas": _many("Mahalla", MAHALLA, "district_code", "code"),
}

_REGION_FIELDS: dict[str, FieldMap] = {
    **_columns("code", "name", "name_ru", "iso_code"),
    "districts": _many("District", DISTRICT, "region_code", "code"),
}

_ASSISTANT_FIELDS: dict[str, FieldMap] = {
    **_columns("full_name", "phone", "mahalla_code", "appointed_on", "is_current"),
    "assistantId": Leaf(col("id")),
    "mahalla": One("Mahalla", MAHALLA, _pointing("mahalla_code", "code")),
}

_STATISTICS_FIELDS: dict[str, FieldMap] = {
    **_columns("population", "households", "category_mismatches", "computed_at"),
    "mahallaCount": Leaf(lambda row, sql: literal_column("1")),
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


def _entry_number(name: str | None = None) -> Leaf:
    """An entry's value (a number), or its member `name`, 0 when absent."""

    def value(entry: Entry, sql: JsonSql) -> ColumnElement[Any]:
        if name is None:
            return sql.json_value_int(entry.value)
        return func.coalesce(sql.json_int(sql.json_text(entry.value, name)), 0)

    return Leaf(value)


_ENTRY_KEY = Leaf(lambda entry, sql: entry.key)

_LIST_OWNERS: dict[str, dict[str, FieldMap]] = {
    "TaxRegistration": {
        **_columns(
            "tin",
            "regime",
            "activity_code",
            "registered_on",
            "closed_on",
            "tax_year",
            "mahalla_code",
            "address",
            "source_updated_at",
            "last_confirmed_at",
        ),
        "isOpen": Leaf(lambda row, sql: row.c.closed_on.is_(None)),
        "declaredIncome": _soums("declared_income_tiyin"),
        "person": One("Person", PERSON, _pointing("person_id")),
    },
    "EmploymentRecord": {
        **_columns(
            "record_no",
            "status",
            "status_on",
            "employer_tin",
            "referral",
            "mahalla_code",
            "source_file",
            "last_confirmed_at",
        ),
        "person": One("Person", PERSON, _pointing("person_id")),
    },
    "LandLease": {
        **_columns(
            "lease_id",
            "contract",
            "status",
            "is_current",
            "lessee_kind",
            "lessee_name",
            "start_on",
            "end_on",
            "snapshot_on",
            "last_confirmed_at",
        ),
        "parcel": One("Parcel", PARCEL, _pointing("parcel_id")),
        "person": One("Person", PERSON, _pointing("person_id")),
        "business": One("Business", BUSINESS, _pointing("business_id")),
    },
    "Parcel": _columns("cadastre", "mahalla_code", "area_ha", "purpose", "crop"),
    "Business": _columns("tin", "name", "mahalla_code"),
    "Loan": {
        **_columns(
            "loan_id",
            "bank_mfo",
            "kind",
            "issued_on",
            "term_months",
            "status",
            "purpose",
            "borrower_name",
            "mahalla_code",
            "last_confirmed_at",
            programme="program",
        ),
        "amount": _soums("amount_tiyin"),
        "person": One("Person", PERSON, _pointing("person_id")),
    },
    "NotebookEntry": {
        **_columns("notebook", "source", "record_key", "entered_on"),
        "person": One("Person", PERSON, _pointing("person_id")),
    },
    "Appeal": {
        **_columns(
            "appeal_id",
            "received_at",
            "channel",
            "topic",
            "addressed_to",
            "status",
            "resolved_at",
            "mahalla_code",
            "applicant_name",
            "applicant_phone",
        ),
        "isOpen": Leaf(lambda row, sql: row.c.status.in_(OPEN_APPEAL_STATUSES)),
        "person": One("Person", PERSON, _pointing("person_id")),
    },
    "SourceRecord": {
        **_columns(
            "source",
            "record_key",
            "kind",
            "first_seen_at",
            "last_seen_at",
            "pinfl_issue",
            "match_method",
            "match_score",
        ),
        "firstDelivery": One("Delivery", DELIVERY, _pointing("first_delivery_id")),
        "lastDelivery": One("Delivery", DELIVERY, _pointing("last_delivery_id")),
    },
    "Delivery": {
        **_columns(
            "source",
            "name",
            "fingerprint",
            "status",
            "started_at",
            "finished_at",
            "delivered",
            "accepted",
            "rejected",
            "duplicate_keys",
            "cursor_from",
            "cursor_to",
            "message",
            "run_id",
            "confirmed_at",
        ),
        "deliveryId": Leaf(col("id")),
    },
    "PersonConflict": _columns(
        "attribute",
        "value",
        "surviving_value",
        "source",
        "record_key",
        "detected_at",
        "kind",
        "other_source",
        "other_record_key",
        "detail",
    ),
}

MAPPINGS: dict[str, dict[str, FieldMap]] = {
    "Person": _PERSON_FIELDS,
    "Household": _HOUSEHOLD_FIELDS,
    "Address": _columns("street", "house", "apartment"),
    "HouseholdMember": _MEMBER_FIELDS,
    "Mahalla": _MAHALLA_FIELDS,
    "District": _DISTRICT_FIELDS,
    "Region": _REGION_FIELDS,
    "Assistant": _ASSISTANT_FIELDS,
    "Statistics": _STATISTICS_FIELDS,
    "HouseholdCategoryCounts": {
        **{f"category{i}": _json_count(str(i)) for i in range(1, 5)},
        "unknown": _json_count("unknown"),
    },
    "EmploymentStatistics": _columns(
        "employed", "unemployed", "self_employed", "entrepreneurs", "public_works", "in_training"
    ),
    "LandStatistics": _columns("active_leases", "leased_area_ha"),
    "AppealStatistics": {
        **_columns(total="appeals_total", open="appeals_open"),
        "byTopic": Entries("TopicCount", col("appeals_by_topic")),
    },
    "ProgrammeFinancing": {
        "programme": _ENTRY_KEY,
        "count": _entry_number("count"),
        "amount": Leaf(
            lambda entry, sql: soums_sql(
                func.coalesce(sql.json_int(sql.json_text(entry.value, "amount_tiyin")), 0)
            )
        ),
    },
    "NotebookCount": {"notebook": _ENTRY_KEY, "persons": _entry_number()},
    "TopicCount": {"topic": _ENTRY_KEY, "appeals": _entry_number()},
    **_LIST_OWNERS,
}

# The relay id of a node type: its key, as `resolve_id` gives it (text).
NODE_KEYS: dict[str, Expr] = {
    "Person": col("hub_id"),
    "Household": col("hub_id"),
    "Region": col("code"),
    "District": col("code"),
    "Mahalla": col("code"),
    "Assistant": col("id"),
    "TaxRegistration": col("tin"),
    "EmploymentRecord": col("record_no"),
    "LandLease": col("lease_id"),
    "Parcel": col("cadastre"),
    "Business": col("tin"),
    "Loan": col("loan_id"),
    "Appeal": col("appeal_id"),
}
