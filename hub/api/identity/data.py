"""The identity data layer: link waterfalls, redirects, unlinked and borderline records,
persons no survey found, the sources of a business, a household's plot leases.

Every function takes the request's connection and returns records (frozen dataclasses);
list functions take an offset and a limit and come with a count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    literal,
    select,
    union_all,
)

from hub.api.activities.data import LEASE, PARCEL, LeaseRecord
from hub.api.people.records import PERSON, PersonRecord
from hub.api.provenance.data import SOURCE_RECORD, SourceRecordRow
from hub.api.records import record_columns, record_fields, select_records, table_of, to_records
from hub.graph.models import (
    Business,
    EmploymentRecord,
    LandLease,
    LinkContribution,
    PersonRedirect,
    TaxRegistration,
)

CONTRIBUTION = table_of(LinkContribution)
REDIRECT = table_of(PersonRedirect)
BUSINESS = table_of(Business)
TAX = table_of(TaxRegistration)
EMPLOYMENT = table_of(EmploymentRecord)
LAND_LEASE = table_of(LandLease)

HOUSEHOLD_PLOT = "household_plot"


@dataclass(frozen=True, slots=True)
class ContributionRecord:
    source_record_id: int
    position: int
    comparison: str
    level: str
    log2_bayes_factor: float


@dataclass(frozen=True, slots=True)
class BusinessSourceRecord:
    source: str
    record_key: str
    role: str


@dataclass(frozen=True, slots=True)
class MentionCriteria:
    """Person records by link state: `unlinked`, or a probability band (borderline)."""

    unlinked: bool = False
    min_probability: float | None = None
    max_probability: float | None = None
    source: str | None = None
    mahalla_code: str | None = None


def fetch_contributions(
    connection: Connection, record_ids: Sequence[int]
) -> list[list[ContributionRecord]]:
    """The waterfall of each source record, in its order."""
    stmt = (
        select(*record_columns(ContributionRecord, CONTRIBUTION))
        .where(CONTRIBUTION.c.source_record_id.in_(list(record_ids)))
        .order_by(CONTRIBUTION.c.source_record_id, CONTRIBUTION.c.position)
    )
    groups: dict[int, list[ContributionRecord]] = defaultdict(list)
    for record in to_records(ContributionRecord, connection.execute(stmt).all()):
        groups[record.source_record_id].append(record)
    return [groups[i] for i in record_ids]


def fetch_persons_following_redirects(
    connection: Connection, hub_ids: Sequence[str], where: ColumnElement[bool] | None = None
) -> list[PersonRecord | None]:
    """The person of each hub id, or of the id it was merged into, among the persons
    `where` admits (the caller's row filter)."""
    target = dict.fromkeys(hub_ids, "")
    moved = select(REDIRECT.c.from_hub_id, REDIRECT.c.to_hub_id).where(
        REDIRECT.c.from_hub_id.in_(list(target))
    )
    target.update({old: new for old, new in connection.execute(moved).all()})
    wanted = {h for h in hub_ids} | set(target.values())
    stmt = select_records(PersonRecord, PERSON).where(PERSON.c.hub_id.in_(sorted(wanted)))
    if where is not None:
        stmt = stmt.where(where)
    found = {r.hub_id: r for r in to_records(PersonRecord, connection.execute(stmt).all())}
    return [found.get(h) or found.get(target[h]) for h in hub_ids]


def _mention_where(c: MentionCriteria) -> list[ColumnElement[bool]]:
    return mention_where(c, mention_parameters(c), bound=False)


def mention_parameters(c: MentionCriteria) -> dict[str, Any]:
    """The values of the conditions `mention_where` writes for `c`, by parameter name."""
    values: dict[str, Any] = {}
    if c.min_probability is not None or c.max_probability is not None:
        values["mention_min"] = c.min_probability or 0.0
        values["mention_max"] = c.max_probability or 1.0
    if c.source is not None:
        values["mention_source"] = c.source
    if c.mahalla_code is not None:
        values["mention_mahalla"] = c.mahalla_code
    return values


def mention_where(
    c: MentionCriteria, values: dict[str, Any], *, bound: bool = True
) -> list[ColumnElement[bool]]:
    """The conditions on person records of `c`: with `bound`, the values are parameters
    named as in `values` (one statement for every value), else literal values."""

    def value(name: str) -> Any:
        return bindparam(name) if bound else values[name]

    where: list[ColumnElement[bool]] = [SOURCE_RECORD.c.kind == "person"]
    if c.unlinked:
        where.append(SOURCE_RECORD.c.person_id.is_(None))
    if "mention_min" in values:
        where.append(SOURCE_RECORD.c.match_method == "probabilistic")
        where.append(SOURCE_RECORD.c.match_score >= value("mention_min"))
        where.append(SOURCE_RECORD.c.match_score <= value("mention_max"))
    if "mention_source" in values:
        where.append(SOURCE_RECORD.c.source == value("mention_source"))
    if "mention_mahalla" in values:
        where.append(SOURCE_RECORD.c.mahalla_code == value("mention_mahalla"))
    return where


MENTION_ORDER = (SOURCE_RECORD.c.source, SOURCE_RECORD.c.record_key)


def fetch_mentions(
    connection: Connection, criteria: MentionCriteria, offset: int, limit: int
) -> list[SourceRecordRow]:
    """Person records matching `criteria`, by source and record key."""
    stmt = (
        select_records(SourceRecordRow, SOURCE_RECORD)
        .where(*_mention_where(criteria))
        .order_by(*MENTION_ORDER)
        .offset(offset)
        .limit(limit)
    )
    return to_records(SourceRecordRow, connection.execute(stmt).all())


def count_mentions(connection: Connection, criteria: MentionCriteria) -> int:
    stmt = select(func.count()).select_from(SOURCE_RECORD).where(*_mention_where(criteria))
    return int(connection.scalar(stmt) or 0)


def not_surveyed_where(mahalla_code: Any) -> list[ColumnElement[bool]]:
    """Persons of the mahalla (a value or a parameter) whom no surveyed household lists."""
    return [PERSON.c.mahalla_code == mahalla_code, PERSON.c.household_id.is_(None)]


def fetch_not_surveyed(
    connection: Connection,
    mahalla_code: str,
    offset: int,
    limit: int,
    where: ColumnElement[bool] | None = None,
) -> list[PersonRecord]:
    """Persons placed in the mahalla by agency records whom no surveyed household lists
    (among those `where`, the caller's row filter, admits)."""
    stmt = (
        select_records(PersonRecord, PERSON)
        .where(*not_surveyed_where(mahalla_code), *([] if where is None else [where]))
        .order_by(PERSON.c.hub_id)
        .offset(offset)
        .limit(limit)
    )
    return to_records(PersonRecord, connection.execute(stmt).all())


def count_not_surveyed(
    connection: Connection, mahalla_code: str, where: ColumnElement[bool] | None = None
) -> int:
    conditions = [*not_surveyed_where(mahalla_code), *([] if where is None else [where])]
    stmt = select(func.count()).select_from(PERSON).where(*conditions)
    return int(connection.scalar(stmt) or 0)


def business_sources(tins: Any) -> Any:
    """The records naming the businesses whose TIN `tins` admits (a condition on a TIN
    column): its tax registration, employment records naming it as employer, leases with
    it as lessee; columns tin, source, record_key, role."""
    tax = select(
        TAX.c.tin.label("tin"),
        literal("tax").label("source"),
        TAX.c.tin.label("record_key"),
        literal("taxpayer").label("role"),
    ).where(tins(TAX.c.tin))
    employer = select(
        EMPLOYMENT.c.employer_tin,
        literal("employment"),
        EMPLOYMENT.c.record_no,
        literal("employer"),
    ).where(tins(EMPLOYMENT.c.employer_tin))
    lessee = (
        select(BUSINESS.c.tin, literal("land"), LAND_LEASE.c.lease_id, literal("lessee"))
        .join(LAND_LEASE, LAND_LEASE.c.business_id == BUSINESS.c.id)
        .where(tins(BUSINESS.c.tin))
    )
    return union_all(tax, employer, lessee)


def fetch_business_sources(
    connection: Connection, tins: Sequence[str]
) -> list[list[BusinessSourceRecord]]:
    """Per TIN: the records naming the business, by source and key (`business_sources`)."""
    wanted = list(tins)
    groups: dict[str, list[BusinessSourceRecord]] = defaultdict(list)
    rows = connection.execute(business_sources(lambda tin: tin.in_(wanted))).all()
    for tin, source, key, role in sorted(rows, key=lambda r: (r[1], r[2])):
        groups[tin].append(BusinessSourceRecord(source, key, role))
    return [groups[t] for t in wanted]


# A household's plot leases, in order (after the lessee's household).
PLOT_LEASE_ORDER = ("lessee_household_id", "start_on", "lease_id")


def plot_leases(households: Any) -> Select[Any]:
    """The household-plot leases whose lessee is a member of a household `households`
    admits (a condition on the lessee's household id); the lease columns and
    `lessee_household_id`."""
    return (
        select(*LEASE.c, PERSON.c.household_id.label("lessee_household_id"))
        .join(PERSON, PERSON.c.id == LEASE.c.person_id)
        .join(PARCEL, PARCEL.c.id == LEASE.c.parcel_id)
        .where(households(PERSON.c.household_id), PARCEL.c.purpose == HOUSEHOLD_PLOT)
    )


def fetch_plot_leases(
    connection: Connection, household_ids: Sequence[int]
) -> list[list[LeaseRecord]]:
    """Per household: the household-plot leases whose lessee is one of its members."""
    leases = plot_leases(lambda household: household.in_(list(household_ids))).subquery()
    stmt = select(
        leases.c.lessee_household_id, *(leases.c[name] for name in record_fields(LeaseRecord))
    ).order_by(*(leases.c[name] for name in PLOT_LEASE_ORDER))
    groups: dict[int, list[LeaseRecord]] = defaultdict(list)
    for row in connection.execute(stmt).all():
        groups[row[0]].extend(to_records(LeaseRecord, [row[1:]]))
    return [groups[h] for h in household_ids]
