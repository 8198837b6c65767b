"""A few-household world written straight into the graph, for the diagnostics' tests.

Each test names its people, dates and amounts by hand so the expected figures can be worked
out by hand beside it; this module only spares them the columns nobody is testing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graph.bulk import upsert_rows
from hub.graph.models import (
    District,
    EmploymentRecord,
    Household,
    HouseholdMember,
    LandLease,
    Loan,
    Mahalla,
    NotebookEntry,
    Parcel,
    Person,
    Region,
    TaxRegistration,
)

AT = datetime(2022, 12, 1, tzinfo=UTC)


@dataclass
class SmallWorld:
    """Writes rows in `session`; `households` and `persons` map test names to ids."""

    session: Session
    households: dict[str, int] = field(default_factory=dict)
    persons: dict[str, int] = field(default_factory=dict)

    def territory(self, *mahallas: str, district: str = "1703202") -> None:
        region = district[:4]
        upsert_rows(self.session, Region, [{"code": region, "name": f"R{region}"}], key=["code"])
        upsert_rows(
            self.session,
            District,
            [{"code": district, "region_code": region, "name": f"D{district}"}],
            key=["code"],
        )
        rows = [{"code": c, "district_code": district, "name": f"MFY {c}"} for c in mahallas]
        upsert_rows(self.session, Mahalla, rows, key=["code"])

    def household(
        self, name: str, mahalla: str, assessed: int | None, income_uzs: int | None
    ) -> None:
        row = {
            "hub_id": f"H-{name}",
            "survey_id": f"SV-{name}",
            "mahalla_code": mahalla,
            "assessed_category": assessed,
            "monthly_income_uzs": income_uzs,
            "surveyed_on": date(2022, 2, 1),
        }
        upsert_rows(self.session, Household, [row], key=["hub_id"])
        self.households[name] = self.session.scalars(
            select(Household.id).where(Household.hub_id == row["hub_id"])
        ).one()

    def person(
        self,
        name: str,
        household: str,
        born: date | None,
        sex: str,
        occupation: str | None,
        notebook: str | None = None,
    ) -> None:
        """A survey member of `household` (in its mahalla), entered in `notebook` by the
        survey when given (record key `SV-<household>/<name>`)."""
        mahalla = self.session.get_one(Household, self.households[household]).mahalla_code
        row = {
            "hub_id": f"P-{name}",
            "full_name": name,
            "name_key": name,
            "birth_on": born,
            "sex": sex,
            "occupation": occupation,
            "mahalla_code": mahalla,
            "household_id": self.households[household],
        }
        upsert_rows(self.session, Person, [row], key=["hub_id"])
        person_id = self.session.scalars(select(Person.id).where(Person.hub_id == f"P-{name}"))
        self.persons[name] = person_id.one()
        member = {
            "household_id": self.households[household],
            "person_id": self.persons[name],
            "member_no": len(self.persons),
            "relation": "other",
        }
        upsert_rows(self.session, HouseholdMember, [member], key=["household_id", "person_id"])
        if notebook is not None:
            self.notebook(name, notebook, "survey", f"SV-{household}/{name}")

    def outsider(self, name: str, mahalla: str) -> None:
        """A person of `mahalla` in no household (known to the agencies only)."""
        row = {"hub_id": f"P-{name}", "full_name": name, "name_key": name, "sex": "M"}
        upsert_rows(self.session, Person, [{**row, "mahalla_code": mahalla}], key=["hub_id"])
        person_id = self.session.scalars(select(Person.id).where(Person.hub_id == f"P-{name}"))
        self.persons[name] = person_id.one()

    def notebook(self, person: str, notebook: str, source: str, key: str) -> None:
        row = {
            "person_id": self.persons[person],
            "notebook": notebook,
            "source": source,
            "record_key": key,
            "entered_on": date(2022, 2, 1),
        }
        upsert_rows(self.session, NotebookEntry, [row], key=["source", "record_key", "notebook"])

    def status(self, record_no: str, person: str, status: str, on: date) -> None:
        row = {
            "record_no": record_no,
            "person_id": self.persons[person],
            "status": status,
            "status_on": on,
            "source_file": f"employment_{on:%Y-%m}.csv",
        }
        upsert_rows(self.session, EmploymentRecord, [row], key=["record_no"])

    def tax(
        self, tin: str, person: str, annual_uzs: int, closed_on: date | None = None, **extra: Any
    ) -> None:
        row = {
            "tin": tin,
            "person_id": self.persons[person],
            "regime": "self_employed",
            "registered_on": date(2022, 1, 10),
            "closed_on": closed_on,
            "declared_income_tiyin": annual_uzs * 100,
            "source_updated_at": AT,
        } | extra
        upsert_rows(self.session, TaxRegistration, [row], key=["tin"])

    def loan(
        self, loan_id: str, person: str, kind: str, program: str, amount_uzs: int, on: date
    ) -> None:
        row = {
            "loan_id": loan_id,
            "bank_mfo": "00873",
            "kind": kind,
            "program": program,
            "person_id": self.persons[person],
            "amount_tiyin": amount_uzs * 100,
            "issued_on": on,
            "status": "active",
        }
        upsert_rows(self.session, Loan, [row], key=["loan_id"])

    def lease(self, lease_id: str, person: str, area_ha: str, status: str = "active") -> None:
        parcel = {"cadastre": f"C-{lease_id}", "area_ha": area_ha, "purpose": "household_plot"}
        upsert_rows(self.session, Parcel, [parcel], key=["cadastre"])
        parcel_id = self.session.scalars(
            select(Parcel.id).where(Parcel.cadastre == f"C-{lease_id}")
        ).one()
        row = {
            "lease_id": lease_id,
            "status": status,
            "parcel_id": parcel_id,
            "person_id": self.persons[person],
            "lessee_kind": "person",
            "start_on": date(2022, 3, 1),
            "is_current": True,
            "snapshot_on": date(2022, 6, 1),
        }
        upsert_rows(self.session, LandLease, [row], key=["lease_id"])
