"""refresh_mahalla_indicators: set-based figures per mahalla, by the documented rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.diagnostics.indicators import refresh_mahalla_indicators
from hub.graph.bulk import upsert_rows
from hub.graph.models import (
    Appeal,
    District,
    EmploymentRecord,
    Household,
    LandLease,
    Loan,
    Mahalla,
    MahallaIndicators,
    NotebookEntry,
    Parcel,
    Person,
    Region,
    TaxRegistration,
)

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1, M2, M3 = "1703202001", "1703202002", "1703202003"
AT = datetime(2022, 12, 1, tzinfo=UTC)


def _territory(session: Session) -> None:
    upsert_rows(session, Region, [{"code": "1703", "name": "Andijon viloyati"}], key=["code"])
    upsert_rows(
        session,
        District,
        [{"code": "1703202", "region_code": "1703", "name": "Asaka tumani"}],
        key=["code"],
    )
    upsert_rows(
        session,
        Mahalla,
        [{"code": c, "district_code": "1703202", "name": f"MFY {c}"} for c in (M1, M2, M3)],
        key=["code"],
    )


def _people(session: Session) -> dict[str, int]:
    households: list[dict[str, Any]] = [
        {"hub_id": "h1", "mahalla_code": M1, "assessed_category": 3, "computed_category": 4},
        {"hub_id": "h2", "mahalla_code": M1, "assessed_category": 2, "computed_category": None},
        {"hub_id": "h3", "mahalla_code": M2, "assessed_category": None, "computed_category": None},
    ]
    upsert_rows(session, Household, households, key=["hub_id"])
    persons = [
        ("a", M1, "unemployed"),
        ("b", M1, "employed"),
        ("c", M1, "unemployed"),
        ("d", M2, "unemployed"),
    ]
    upsert_rows(
        session,
        Person,
        [
            {"hub_id": h, "full_name": h, "name_key": h, "mahalla_code": m, "occupation": o}
            for h, m, o in persons
        ],
        key=["hub_id"],
    )
    return {h: i for h, i in session.execute(select(Person.hub_id, Person.id))}


def _employment(session: Session, ids: dict[str, int]) -> None:
    def record(no: str, person: str | None, status: str, on: date) -> dict[str, Any]:
        return {
            "record_no": no,
            "person_id": None if person is None else ids[person],
            "status": status,
            "status_on": on,
            "mahalla_code": M1,
            "source_file": "employment_2022-06.csv",
        }

    upsert_rows(
        session,
        EmploymentRecord,
        [
            record("E1", "a", "unemployed", date(2022, 2, 1)),
            record("E2", "a", "employed", date(2022, 6, 1)),  # a's latest: employed
            record("E3", "c", "public_works", date(2022, 3, 1)),
            record("E4", "c", "training", date(2022, 3, 1)),  # same day: higher number wins
            record("E5", None, "employed", date(2022, 3, 1)),  # unlinked: nobody's status
        ],
        key=["record_no"],
    )


def _tax(session: Session, ids: dict[str, int]) -> None:
    def registration(tin: str, person: str | None, regime: str, **extra: Any) -> dict[str, Any]:
        row = {
            "tin": tin,
            "person_id": None if person is None else ids[person],
            "regime": regime,
            "registered_on": date(2022, 1, 1),
            "closed_on": None,
            "mahalla_code": M2,  # the person's own mahalla wins over this when linked
            "source_updated_at": AT,
        }
        return row | extra

    upsert_rows(
        session,
        TaxRegistration,
        [
            registration("412345678", "a", "self_employed"),
            registration("412345679", "b", "individual_entrepreneur", closed_on=date(2022, 6, 1)),
            registration("612345678", None, "individual_entrepreneur"),
        ],
        key=["tin"],
    )


def _land(session: Session) -> None:
    upsert_rows(
        session,
        Parcel,
        [
            {"cadastre": "p1", "mahalla_code": M1, "area_ha": "0.1200", "purpose": "farming"},
            {"cadastre": "p2", "mahalla_code": M1, "area_ha": "0.5000", "purpose": "farming"},
            {"cadastre": "p3", "mahalla_code": M2, "area_ha": "1.0000", "purpose": "orchard"},
        ],
        key=["cadastre"],
    )
    parcels = {c: i for c, i in session.execute(select(Parcel.cadastre, Parcel.id))}

    def lease(lease_id: str, parcel: str, status: str, current: bool) -> dict[str, Any]:
        return {
            "lease_id": lease_id,
            "status": status,
            "parcel_id": parcels[parcel],
            "lessee_kind": "person",
            "start_on": date(2022, 1, 1),
            "is_current": current,
            "snapshot_on": date(2022, 12, 1),
        }

    upsert_rows(
        session,
        LandLease,
        [
            lease("L1", "p1", "active", True),
            lease("L2", "p2", "active", False),  # not in the newest snapshot
            lease("L3", "p3", "terminated", True),
        ],
        key=["lease_id"],
    )


def _loans_notebooks_appeals(session: Session, ids: dict[str, int]) -> None:
    def loan(loan_id: str, person: str | None, program: str, amount: int) -> dict[str, Any]:
        return {
            "loan_id": loan_id,
            "bank_mfo": "00873",
            "kind": "loan",
            "program": program,
            "person_id": None if person is None else ids[person],
            "amount_tiyin": amount,
            "issued_on": date(2022, 4, 1),
            "status": "active",
            "mahalla_code": M2,
        }

    upsert_rows(
        session,
        Loan,
        [
            loan("1", "a", "family_entrepreneurship", 3_000_000_000),
            loan("2", "a", "microloan", 100),
            loan("3", "b", "microloan", 250),
            loan("4", None, "subsidy", 5_000),
        ],
        key=["loan_id"],
    )
    entries = [
        ("a", "iron", "survey", "s/1"),
        ("a", "iron", "bank", "1"),
        ("b", "women", "survey", "s/2"),
    ]
    upsert_rows(
        session,
        NotebookEntry,
        [
            {"person_id": ids[p], "notebook": n, "source": s, "record_key": k}
            for p, n, s, k in entries
        ],
        key=["source", "record_key", "notebook"],
    )

    def appeal(
        appeal_id: str, person: str | None, mahalla: str | None, topic: str, status: str
    ) -> dict[str, Any]:
        return {
            "appeal_id": appeal_id,
            "person_id": None if person is None else ids[person],
            "received_at": AT,
            "channel": "hotline",
            "mahalla_code": mahalla,
            "topic": topic,
            "status": status,
        }

    upsert_rows(
        session,
        Appeal,
        [
            appeal("AP1", "a", M1, "employment", "received"),
            appeal("AP2", None, M2, "gas", "in_progress"),
            appeal("AP3", "b", None, "gas", "resolved"),  # no mahalla: the applicant's
        ],
        key=["appeal_id"],
    )


def _build(session: Session) -> None:
    _territory(session)
    ids = _people(session)
    _employment(session, ids)
    _tax(session, ids)
    _land(session)
    _loans_notebooks_appeals(session, ids)


def _rows(session: Session) -> dict[str, MahallaIndicators]:
    return {row.mahalla_code: row for row in session.scalars(select(MahallaIndicators))}


def test_every_mahalla_gets_a_row_with_the_documented_figures(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        _build(session)
        written = refresh_mahalla_indicators(session)
    with graph_db.session() as session:
        rows = _rows(session)
    assert written == 3
    assert set(rows) == {M1, M2, M3}
    m1, m2, m3 = rows[M1], rows[M2], rows[M3]
    assert (m1.population, m1.households, m1.category_mismatches) == (3, 2, 1)
    assert m1.households_by_assessed_category == {"2": 1, "3": 1}
    assert m1.households_by_computed_category == {"4": 1, "unknown": 1}
    assert m2.households_by_assessed_category == {"unknown": 1}
    # a: latest record "employed"; b: survey "employed"; c: latest record "training".
    assert (m1.employed, m1.unemployed, m1.public_works, m1.in_training) == (2, 0, 0, 1)
    assert (m2.employed, m2.unemployed) == (0, 1)
    # b's registration is closed; the unlinked one counts in its own mahalla.
    assert (m1.self_employed, m1.entrepreneurs) == (1, 0)
    assert (m2.self_employed, m2.entrepreneurs) == (0, 1)
    assert (m1.active_leases, m1.leased_area_ha) == (1, 0.12)
    assert (m2.active_leases, m2.leased_area_ha) == (0, 0.0)
    assert m1.loans_by_program == {
        "family_entrepreneurship": {"count": 1, "amount_tiyin": 3_000_000_000},
        "microloan": {"count": 2, "amount_tiyin": 350},
    }
    assert m2.loans_by_program == {"subsidy": {"count": 1, "amount_tiyin": 5_000}}
    assert m1.notebook_entries == {"iron": 1, "women": 1}
    assert (m1.appeals_total, m1.appeals_open) == (2, 1)
    assert m1.appeals_by_topic == {"employment": 1, "gas": 1}
    assert (m2.appeals_total, m2.appeals_open, m2.appeals_by_topic) == (1, 1, {"gas": 1})
    assert (m3.population, m3.households, m3.loans_by_program) == (0, 0, {})
    assert m3.computed_at.tzinfo is not None


def test_a_refresh_of_some_mahallas_leaves_the_others_alone(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        _build(session)
        refresh_mahalla_indicators(session)
    with graph_db.session() as session, session.begin():
        session.execute(update(Person).values(mahalla_code=M3))
        session.execute(update(Appeal).values(status="resolved"))
        written = refresh_mahalla_indicators(session, [M1, M3, "9999999999"])
    with graph_db.session() as session:
        rows = _rows(session)
    assert written == 2
    assert (rows[M1].population, rows[M1].appeals_open) == (0, 0)
    assert rows[M3].population == 4
    assert rows[M2].population == 1  # not refreshed: still the first figures
    assert rows[M2].appeals_open == 1


def test_refreshing_twice_writes_the_same_figures(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        _build(session)
        refresh_mahalla_indicators(session)
    with graph_db.session() as session:
        first = {c: (r.population, r.loans_by_program) for c, r in _rows(session).items()}
    with graph_db.session() as session, session.begin():
        assert refresh_mahalla_indicators(session) == 3
    with graph_db.session() as session:
        second = {c: (r.population, r.loans_by_program) for c, r in _rows(session).items()}
    assert first == second
