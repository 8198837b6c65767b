"""The DataLoaders of one request: every relation the schema follows is batched.

Each loader is created on first use and lives as long as its `Loaders` instance, which
the view creates per request. A loader turns all the keys asked for in one tick of the
event loop into one statement (`hub.api.batch_fetch` or a data-layer function), so a page
of 100 persons with their households, mahallas and loans costs one statement per relation,
not one per person.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, and_
from strawberry.dataloader import DataLoader

from hub.api.access.rows import Names, RowFilters
from hub.api.access.rules import SOURCE_SCOPE, TERRITORY
from hub.api.activities import data as activities
from hub.api.batch_fetch import fetch_by_keys, fetch_groups
from hub.api.compiled.mapping import ORDERS
from hub.api.diagnostics import lists_data as diagnostics
from hub.api.identity import data as identity
from hub.api.people import records as people
from hub.api.people.data import fetch_members
from hub.api.provenance import data as provenance
from hub.api.request_database import RequestDatabase
from hub.api.territory import data as territory
from hub.api.territory import statistics_data as statistics

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


class Loaders:
    """Lazily created DataLoaders over one request's database connection."""

    def __init__(self, db: RequestDatabase, rows: RowFilters) -> None:
        self._db = db
        # The caller's row filters (`hub.api.access.rows`): every loader of a type the
        # rule table filters adds them to its WHERE clause.
        self.rows = rows
        # (converter, key) -> node: a record converted once per request (see
        # `hub.api.relations.shared_node`).
        self.converted: dict[tuple[Callable[[Any], Any], Hashable], Any] = {}

    def _batched(self, fetch: Callable[[Connection, Sequence[K]], Sequence[V]]) -> DataLoader[K, V]:
        db = self._db

        async def load(keys: list[K]) -> Sequence[V]:
            return await db.run(fetch, keys)

        return DataLoader(load_fn=load)

    def _by_key(
        self, record: type[R], table: Table, *key: str, rows: Names = None
    ) -> DataLoader[Any, R | None]:
        """By key; `rows` names the type's row filter (the rule table's)."""
        where = self.rows.condition(rows, table)
        shape = self.rows.key() if where is not None else None

        def fetch(connection: Connection, keys: Sequence[Hashable]) -> list[R | None]:
            return fetch_by_keys(connection, record, table, key, keys, where, shape)

        return self._batched(fetch)

    def _by_parent(
        self, record: type[R], table: Table, parent: str, rows: Names = None
    ) -> DataLoader[Any, list[R]]:
        # The relation's default order, declared once for both read paths.
        order_by = ORDERS[(table.name, parent)]
        where = self.rows.condition(rows, table)
        shape = self.rows.key() if where is not None else None

        def fetch(connection: Connection, keys: Sequence[Hashable]) -> list[list[R]]:
            return fetch_groups(connection, record, table, parent, keys, order_by, where, shape)

        return self._batched(fetch)

    # Territory
    @cached_property
    def region(self) -> DataLoader[str, territory.RegionRecord | None]:
        return self._by_key(territory.RegionRecord, territory.REGION, "code")

    @cached_property
    def district(self) -> DataLoader[str, territory.DistrictRecord | None]:
        return self._by_key(territory.DistrictRecord, territory.DISTRICT, "code")

    @cached_property
    def mahalla(self) -> DataLoader[str, territory.MahallaRecord | None]:
        return self._by_key(territory.MahallaRecord, territory.MAHALLA, "code")

    @cached_property
    def assistant(self) -> DataLoader[str, territory.AssistantRecord | None]:
        return self._by_key(territory.AssistantRecord, territory.ASSISTANT, "id")

    @cached_property
    def current_assistant(self) -> DataLoader[str, territory.AssistantRecord | None]:
        return self._batched(territory.fetch_current_assistants)

    @cached_property
    def districts_of_region(self) -> DataLoader[str, list[territory.DistrictRecord]]:
        return self._by_parent(territory.DistrictRecord, territory.DISTRICT, "region_code")

    @cached_property
    def mahallas_of_district(self) -> DataLoader[str, list[territory.MahallaRecord]]:
        return self._by_parent(territory.MahallaRecord, territory.MAHALLA, "district_code")

    @cached_property
    def mahalla_statistics(self) -> DataLoader[str, statistics.StatisticsRecord | None]:
        return self._batched(statistics.fetch_mahalla_statistics)

    @cached_property
    def district_statistics(self) -> DataLoader[str, statistics.StatisticsRecord]:
        return self._batched(statistics.fetch_district_statistics)

    @cached_property
    def region_statistics(self) -> DataLoader[str, statistics.StatisticsRecord]:
        return self._batched(statistics.fetch_region_statistics)

    @cached_property
    def mahalla_rating(
        self,
    ) -> DataLoader[tuple[date, str], diagnostics.AssistantRatingRecord | None]:
        """A mahalla's assistant rating by (quarter, mahalla code), in the territory."""
        return self._by_key(
            diagnostics.AssistantRatingRecord,
            diagnostics.ASSISTANT_RATING,
            "quarter_on",
            "mahalla_code",
            rows=TERRITORY,
        )

    # People
    @cached_property
    def person(self) -> DataLoader[int, people.PersonRecord | None]:
        return self._by_key(people.PersonRecord, people.PERSON, "id", rows=TERRITORY)

    @cached_property
    def person_by_hub_id(self) -> DataLoader[str, people.PersonRecord | None]:
        return self._by_key(people.PersonRecord, people.PERSON, "hub_id", rows=TERRITORY)

    @cached_property
    def person_following_redirects(self) -> DataLoader[str, people.PersonRecord | None]:
        """By hub id, or by a hub id merged into another person's."""
        where = self.rows.condition(TERRITORY, people.PERSON)

        def fetch(connection: Connection, keys: Sequence[str]) -> list[Any]:
            return identity.fetch_persons_following_redirects(connection, keys, where)

        return self._batched(fetch)

    @cached_property
    def person_by_pinfl(self) -> DataLoader[str, people.PersonRecord | None]:
        return self._by_key(people.PersonRecord, people.PERSON, "pinfl", rows=TERRITORY)

    @cached_property
    def household(self) -> DataLoader[int, people.HouseholdRecord | None]:
        return self._by_key(people.HouseholdRecord, people.HOUSEHOLD, "id", rows=TERRITORY)

    @cached_property
    def household_by_hub_id(self) -> DataLoader[str, people.HouseholdRecord | None]:
        return self._by_key(people.HouseholdRecord, people.HOUSEHOLD, "hub_id", rows=TERRITORY)

    @cached_property
    def members(
        self,
    ) -> DataLoader[int, list[tuple[people.MemberRecord, people.PersonRecord]]]:
        where = self.rows.condition(TERRITORY, people.PERSON)
        shape = self.rows.key() if where is not None else None

        def fetch(connection: Connection, keys: Sequence[int]) -> list[Any]:
            return fetch_members(connection, keys, where, shape)

        return self._batched(fetch)

    @cached_property
    def membership(self) -> DataLoader[tuple[int, int], people.MemberRecord | None]:
        return self._by_key(people.MemberRecord, people.MEMBER, "household_id", "person_id")

    # Agency facts, by person and by natural key
    @cached_property
    def tax_of_person(self) -> DataLoader[int, list[activities.TaxRecord]]:
        return self._by_parent(activities.TaxRecord, activities.TAX, "person_id", TERRITORY)

    @cached_property
    def employment_of_person(self) -> DataLoader[int, list[activities.EmploymentRecordRow]]:
        return self._by_parent(
            activities.EmploymentRecordRow, activities.EMPLOYMENT, "person_id", TERRITORY
        )

    @cached_property
    def leases_of_person(self) -> DataLoader[int, list[activities.LeaseRecord]]:
        return self._by_parent(activities.LeaseRecord, activities.LEASE, "person_id")

    @cached_property
    def loans_of_person(self) -> DataLoader[int, list[activities.LoanRecord]]:
        return self._by_parent(activities.LoanRecord, activities.LOAN, "person_id", TERRITORY)

    @cached_property
    def notebook_of_person(self) -> DataLoader[int, list[activities.NotebookRecord]]:
        return self._by_parent(activities.NotebookRecord, activities.NOTEBOOK, "person_id")

    @cached_property
    def appeals_of_person(self) -> DataLoader[int, list[activities.AppealRecord]]:
        return self._by_parent(activities.AppealRecord, activities.APPEAL, "person_id", TERRITORY)

    @cached_property
    def tax(self) -> DataLoader[str, activities.TaxRecord | None]:
        return self._by_key(activities.TaxRecord, activities.TAX, "tin", rows=TERRITORY)

    @cached_property
    def employment(self) -> DataLoader[str, activities.EmploymentRecordRow | None]:
        return self._by_key(
            activities.EmploymentRecordRow, activities.EMPLOYMENT, "record_no", rows=TERRITORY
        )

    @cached_property
    def lease(self) -> DataLoader[str, activities.LeaseRecord | None]:
        return self._by_key(activities.LeaseRecord, activities.LEASE, "lease_id")

    @cached_property
    def parcel(self) -> DataLoader[int, activities.ParcelRecord | None]:
        return self._by_key(activities.ParcelRecord, activities.PARCEL, "id", rows=TERRITORY)

    @cached_property
    def parcel_by_cadastre(self) -> DataLoader[str, activities.ParcelRecord | None]:
        return self._by_key(activities.ParcelRecord, activities.PARCEL, "cadastre", rows=TERRITORY)

    @cached_property
    def business(self) -> DataLoader[int, activities.BusinessRecord | None]:
        return self._by_key(activities.BusinessRecord, activities.BUSINESS, "id", rows=TERRITORY)

    @cached_property
    def business_by_tin(self) -> DataLoader[str, activities.BusinessRecord | None]:
        return self._by_key(activities.BusinessRecord, activities.BUSINESS, "tin", rows=TERRITORY)

    @cached_property
    def loan(self) -> DataLoader[str, activities.LoanRecord | None]:
        return self._by_key(activities.LoanRecord, activities.LOAN, "loan_id", rows=TERRITORY)

    @cached_property
    def notebook_entry(
        self,
    ) -> DataLoader[tuple[str, str, str], activities.NotebookRecord | None]:
        return self._by_key(
            activities.NotebookRecord, activities.NOTEBOOK, "notebook", "source", "record_key"
        )

    @cached_property
    def appeal(self) -> DataLoader[str, activities.AppealRecord | None]:
        return self._by_key(activities.AppealRecord, activities.APPEAL, "appeal_id", rows=TERRITORY)

    # Provenance
    @cached_property
    def source_records_of_person(self) -> DataLoader[int, list[provenance.SourceRecordRow]]:
        return self._by_parent(
            provenance.SourceRecordRow,
            provenance.SOURCE_RECORD,
            "person_id",
            (SOURCE_SCOPE, TERRITORY),
        )

    @cached_property
    def source_record(
        self,
    ) -> DataLoader[tuple[str, str], provenance.SourceRecordRow | None]:
        return self._by_key(
            provenance.SourceRecordRow,
            provenance.SOURCE_RECORD,
            "source",
            "record_key",
            rows=(SOURCE_SCOPE, TERRITORY),
        )

    @cached_property
    def conflicts_of_person(self) -> DataLoader[int, list[provenance.ConflictRecord]]:
        where = self.rows.condition(SOURCE_SCOPE, provenance.CONFLICT)
        shape = self.rows.key() if where is not None else None

        def fetch(connection: Connection, keys: Sequence[int]) -> list[Any]:
            return provenance.fetch_conflicts_by_person(connection, keys, where, shape)

        return self._batched(fetch)

    @cached_property
    def conflict(
        self,
    ) -> DataLoader[tuple[str, str, str, str], provenance.ConflictRecord | None]:
        where = self.rows.condition(SOURCE_SCOPE, provenance.CONFLICT)
        territory = self.rows.condition(TERRITORY, people.PERSON)
        if territory is not None:
            where = territory if where is None else and_(where, territory)
        shape = self.rows.key() if where is not None else None

        def fetch(connection: Connection, keys: Sequence[Any]) -> list[Any]:
            return provenance.fetch_conflicts_by_key(connection, keys, where, shape)

        return self._batched(fetch)

    @cached_property
    def delivery(self) -> DataLoader[int, provenance.DeliveryRecord | None]:
        return self._by_key(provenance.DeliveryRecord, provenance.DELIVERY, "id")

    @cached_property
    def reject(self) -> DataLoader[int, provenance.RejectRecord | None]:
        return self._by_key(provenance.RejectRecord, provenance.REJECT, "id")

    # Identity
    @cached_property
    def contributions_of_record(self) -> DataLoader[int, list[identity.ContributionRecord]]:
        return self._batched(identity.fetch_contributions)

    @cached_property
    def business_sources(self) -> DataLoader[str, list[identity.BusinessSourceRecord]]:
        return self._batched(identity.fetch_business_sources)

    @cached_property
    def plot_leases_of_household(self) -> DataLoader[int, list[activities.LeaseRecord]]:
        return self._batched(identity.fetch_plot_leases)
