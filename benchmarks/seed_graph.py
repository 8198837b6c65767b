"""Seed a synthetic mahalla graph straight into a database, for the API benchmark.

    uv run python benchmarks/seed_graph.py --database hub_bench --persons 1000000

One region, 16 districts of 16 mahallas (256), households of about 4.35 people, and the
agency facts at roughly their national rates per person: open tax registrations (3%),
employment records (10%), land leases (1.2%), loans and subsidies (2%), appeals (5%),
notebook entries (4%), one survey source record per person plus one per agency record,
and a few conflicts. Everything goes through `hub.graph.bulk.upsert_rows` (COPY on
PostgreSQL) with explicit ids, then the mahalla indicators are refreshed. Deterministic for
a given --seed. The database is created (or re-created) on the PostgreSQL server of
--admin-url.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.diagnostics.indicators import refresh_mahalla_indicators
from hub.graph.bulk import upsert_rows
from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database
from hub.graph.models import (
    Appeal,
    Assistant,
    Delivery,
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
    PersonConflict,
    Region,
    SourceRecord,
    TaxRegistration,
)
from hub.identity.names import normalise_name

logger = logging.getLogger("seed_graph")

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REGION = "1703"
DISTRICTS = 16
MAHALLAS_PER_DISTRICT = 16
PERSONS_PER_HOUSEHOLD = 4.35
SEEN_AT = datetime(2022, 12, 1, 6, tzinfo=UTC)

SURNAMES = [
    "Abdullayev",
    "Karimov",
    "Rahimov",
    "Toshmatov",
    "Yusupov",
    "Aliyev",
    "Qodirov",
    "Ergashev",
    "Usmonov",
    "Nazarov",
    "Sobirov",
    "Xolmatov",
    "Mirzayev",
    "Saidov",
    "Jo‘rayev",
    "Hasanov",
    "Ismoilov",
    "Rustamov",
    "Norboyev",
    "Valiyev",
    "Tursunov",
    "Xudoyberdiyev",
    "Sharipov",
    "Raxmonov",
    "Olimov",
    "Boboyev",
    "Azimov",
    "Umarov",
    "Zokirov",
    "Hamidov",
]
MALE = [
    "Akmal",
    "Jasur",
    "Bobur",
    "Sardor",
    "Otabek",
    "Jahongir",
    "Sherzod",
    "Dilshod",
    "Aziz",
    "Rustam",
    "Farrux",
    "Ulug‘bek",
    "Anvar",
    "Baxtiyor",
    "Shoxrux",
    "Sanjar",
    "Doston",
    "Islom",
    "Nodir",
    "Javlon",
]
FEMALE = [
    "Dilnoza",
    "Malika",
    "Nilufar",
    "Gulnora",
    "Zulfiya",
    "Madina",
    "Shahnoza",
    "Feruza",
    "Mohira",
    "Sevara",
    "Nodira",
    "Kamola",
    "Dildora",
    "Barno",
    "Nigora",
    "Umida",
    "Lola",
    "Zarina",
    "Munisa",
    "Gulchehra",
]
OCCUPATIONS = (
    ["employed"] * 30
    + ["unemployed"] * 12
    + ["student"] * 10
    + ["child"] * 20
    + ["pensioner"] * 10
    + ["homemaker"] * 8
    + ["migrant_worker"] * 5
    + ["self_employed"] * 3
    + ["public_works"] * 1
    + ["disabled"] * 1
)
NEEDS = ["vocational_training", "job", "subsidy", "loan", "land", "housing_repair", "medical"]
PROGRAMMES = ["family_entrepreneurship"] * 5 + [
    "youth_notebook",
    "women_notebook",
    "iron_notebook",
    "microloan",
    "subsidy",
]
TOPICS = [
    "electricity",
    "gas",
    "water",
    "roads",
    "employment",
    "housing",
    "land",
    "medical",
    "education",
    "social_aid",
    "other",
]
APPEAL_STATUSES = ["received", "in_progress", "resolved", "resolved", "rejected"]
EMPLOYMENT_STATUSES = ["unemployed", "employed", "public_works", "self_employed", "training"]


@dataclass(frozen=True)
class Plan:
    persons: int
    seed: int

    @property
    def households(self) -> int:
        return max(1, round(self.persons / PERSONS_PER_HOUSEHOLD))

    def household_of(self, person: int) -> int:
        """Person index -> household index: contiguous blocks of about 4.35 people."""
        return person * self.households // self.persons


def mahalla_codes() -> list[str]:
    return [
        f"{REGION}2{d:02d}{m:03d}"
        for d in range(1, DISTRICTS + 1)
        for m in range(1, MAHALLAS_PER_DISTRICT + 1)
    ]


def pinfl_for(index: int, born: date, male: bool) -> str:
    """A valid PINFL (check digit by the 7-3-1 weights), unique per index below 998,001."""
    century = {18: 1, 19: 3, 20: 5}[born.year // 100] + (0 if male else 1)
    area, serial = 1 + (index // 999) % 999, 1 + index % 999
    body = f"{century}{born:%d%m%y}{area:03d}{serial:03d}"
    weights = (7, 3, 1) * 5
    check = sum(int(d) * w for d, w in zip(body, weights, strict=False)) % 10
    return body + str(check)


@cache
def _name(full: str) -> tuple[str, str, str | None, str | None, str, str]:
    name = normalise_name(full)
    if name is None:
        raise ValueError(f"Seed name {full!r} cannot be read.")
    return name.latin, name.surname, name.given, name.patronymic, name.key, name.surname_key


def _territory(session: Session) -> None:
    upsert_rows(
        session,
        Region,
        [{"code": REGION, "name": "Andijon viloyati", "iso_code": "UZ-AN"}],
        key=["code"],
    )
    districts = [f"{REGION}2{d:02d}" for d in range(1, DISTRICTS + 1)]
    upsert_rows(
        session,
        District,
        [{"code": c, "region_code": REGION, "name": f"Tuman {c}"} for c in districts],
        key=["code"],
    )
    codes = mahalla_codes()
    upsert_rows(
        session,
        Mahalla,
        [{"code": c, "district_code": c[:7], "name": f"MFY {c[-3:]}", "stir": None} for c in codes],
        key=["code"],
    )
    upsert_rows(
        session,
        Assistant,
        [
            {
                "id": f"A-{i:05d}",
                "full_name": f"Yordamchi {i}",
                "phone": f"+99890{i:07d}",
                "mahalla_code": c,
                "appointed_on": date(2022, 1, 1),
                "is_current": True,
            }
            for i, c in enumerate(codes)
        ],
        key=["id"],
    )
    upsert_rows(
        session,
        Delivery,
        [
            {
                "id": i,
                "source": s,
                "name": f"{s}-seed",
                "status": "succeeded",
                "started_at": SEEN_AT,
                "finished_at": SEEN_AT + timedelta(minutes=10),
            }
            for i, s in enumerate(
                ["registry", "survey", "tax", "employment", "land", "bank", "appeals"], start=1
            )
        ],
        key=["id"],
    )


def _households(plan: Plan, rng: random.Random) -> Iterator[dict[str, Any]]:
    codes = mahalla_codes()
    for h in range(plan.households):
        assessed = rng.choice([1, 2, 2, 3, 3, 3, 4, None])
        computed = assessed if rng.random() < 0.8 else rng.choice([1, 2, 3, 4])
        yield {
            "id": h + 1,
            "hub_id": f"H{h:08d}",
            "survey_id": f"SV-{h:08d}",
            "mahalla_code": codes[h * len(codes) // plan.households],
            "assistant_id": f"A-{h * len(codes) // plan.households:05d}",
            "street": "Navoiy koʻchasi",
            "house": str(1 + h % 200),
            "surveyed_on": date(2022, 1, 1) + timedelta(days=h % 300),
            "assessed_category": assessed,
            "computed_category": computed,
            "monthly_income_uzs": rng.randrange(500_000, 12_000_000, 1000),
            "plot_sotix": round(rng.random() * 10, 2),
            "needs": rng.sample(NEEDS, rng.randrange(0, 3)),
        }


def _persons(plan: Plan, rng: random.Random) -> Iterator[dict[str, Any]]:
    codes = mahalla_codes()
    used: set[str] = set()
    for i in range(plan.persons):
        household = plan.household_of(i)
        male = rng.random() < 0.5
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 30_000))
        surname = rng.choice(SURNAMES) + ("" if male else "a")
        given = rng.choice(MALE if male else FEMALE)
        father = rng.choice(MALE)
        marker = "o‘g‘li" if male else "qizi"
        latin, sur, giv, pat, key, sur_key = _name(f"{surname} {given} {father} {marker}")
        candidate = pinfl_for(i, born, male)
        pinfl: str | None = None
        if candidate not in used and rng.random() >= 0.03:  # a few persons lack a PINFL
            used.add(candidate)
            pinfl = candidate
        yield {
            "id": i + 1,
            "hub_id": f"P{i:09d}",
            "pinfl": pinfl,
            "full_name": latin,
            "surname": sur,
            "given_name": giv,
            "patronymic": pat,
            "name_key": key,
            "surname_key": sur_key,
            "birth_on": born,
            "sex": "M" if male else "F",
            "mahalla_code": codes[household * len(codes) // plan.households],
            "household_id": household + 1,
            "occupation": rng.choice(OCCUPATIONS),
        }


def _members(plan: Plan) -> Iterator[dict[str, Any]]:
    previous, number = -1, 0
    for i in range(plan.persons):
        household = plan.household_of(i)
        number = number + 1 if household == previous else 1
        previous = household
        relation = {1: "head", 2: "spouse"}.get(number, "child")
        yield {
            "household_id": household + 1,
            "person_id": i + 1,
            "member_no": number,
            "relation": relation,
        }


def _sample(rng: random.Random, plan: Plan, share: float) -> list[int]:
    return sorted(rng.sample(range(1, plan.persons + 1), int(plan.persons * share)))


def _mahalla_of(plan: Plan, person_id: int) -> str:
    codes = mahalla_codes()
    return codes[plan.household_of(person_id - 1) * len(codes) // plan.households]


def _facts(
    plan: Plan, rng: random.Random
) -> dict[type[Any], tuple[list[str], list[dict[str, Any]]]]:
    """Agency facts (small enough to hold in memory) by model, with their upsert keys."""
    at = SEEN_AT
    tax = [
        {
            "tin": f"4{n:08d}",
            "person_id": p,
            "regime": rng.choice(["self_employed"] * 4 + ["individual_entrepreneur"]),
            "activity_code": "47190",
            "registered_on": date(2022, 1, 1) + timedelta(days=n % 300),
            "closed_on": date(2022, 12, 1) if n % 10 == 0 else None,
            "declared_income_tiyin": rng.randrange(1_000_000, 5_000_000_000, 100),
            "tax_year": 2022,
            "mahalla_code": _mahalla_of(plan, p),
            "address": None,
            "source_updated_at": at,
            "delivery_id": 3,
        }
        for n, p in enumerate(_sample(rng, plan, 0.03))
    ]
    employment = []
    for n, p in enumerate(_sample(rng, plan, 0.07)):
        for k in range(1 + (n % 3 == 0)):
            employment.append(
                {
                    "record_no": f"E2022-{n:07d}-{k}",
                    "person_id": p,
                    "status": rng.choice(EMPLOYMENT_STATUSES),
                    "status_on": date(2022, 1 + k * 5, 1),
                    "employer_tin": None,
                    "referral": None,
                    "mahalla_code": _mahalla_of(plan, p),
                    "source_file": f"employment_2022-{1 + k * 5:02d}.csv",
                    "delivery_id": 4,
                }
            )
    lessees = _sample(rng, plan, 0.012)
    parcels = [
        {
            "id": n + 1,
            "cadastre": f"17:03:{n:08d}",
            "mahalla_code": _mahalla_of(plan, p),
            "area_ha": f"{0.05 + rng.random():.4f}",
            "purpose": rng.choice(["household_plot", "farming", "greenhouse", "orchard"]),
            "crop": "tomato",
        }
        for n, p in enumerate(lessees)
    ]
    leases = [
        {
            "lease_id": f"LS-{n:07d}",
            "contract": f"{n}/2022",
            "status": "terminated" if n % 10 == 0 else "active",
            "parcel_id": n + 1,
            "person_id": p,
            "business_id": None,
            "lessee_kind": "person",
            "lessee_name": None,
            "start_on": date(2022, 3, 1),
            "end_on": date(2027, 2, 28),
            "is_current": n % 20 != 0,
            "snapshot_on": date(2022, 12, 1),
            "delivery_id": 5,
        }
        for n, p in enumerate(lessees)
    ]
    loans = [
        {
            "loan_id": f"00873-2022-{n:06d}",
            "bank_mfo": "00873",
            "kind": "loan",
            "program": rng.choice(PROGRAMMES),
            "person_id": p,
            "borrower_name": None,
            "amount_tiyin": rng.randrange(100_000_000, 10_000_000_000, 100),
            "issued_on": date(2022, 1, 1) + timedelta(days=n % 330),
            "term_months": 36,
            "status": "active",
            "purpose": "greenhouse",
            "mahalla_code": _mahalla_of(plan, p),
            "delivery_id": 6,
        }
        for n, p in enumerate(_sample(rng, plan, 0.02))
    ]
    appeals = [
        {
            "appeal_id": f"AP-2022-{n:07d}",
            "person_id": p if n % 5 else None,
            "received_at": at - timedelta(hours=n % 5000),
            "channel": "assistant",
            "mahalla_code": _mahalla_of(plan, p),
            "applicant_name": None,
            "applicant_phone": None,
            "topic": rng.choice(TOPICS),
            "addressed_to": None,
            "status": (status := rng.choice(APPEAL_STATUSES)),
            "resolved_at": at if status in ("resolved", "rejected") else None,
            "delivery_id": 7,
        }
        for n, p in enumerate(_sample(rng, plan, 0.05))
    ]
    notebooks = [
        {
            "person_id": p,
            "notebook": rng.choice(["iron", "women", "youth"]),
            "source": "survey",
            "record_key": f"SV-{plan.household_of(p - 1):08d}/{p}",
            "entered_on": None,
        }
        for p in _sample(rng, plan, 0.04)
    ]
    conflicts = [
        {
            "person_id": p,
            "attribute": "birth_on",
            "value": "1985-03-16",
            "surviving_value": "1985-03-15",
            "source": "bank",
            "record_key": f"C-{p}",
        }
        for p in _sample(rng, plan, 0.01)
    ]
    return {
        TaxRegistration: (["tin"], tax),
        EmploymentRecord: (["record_no"], employment),
        Parcel: (["cadastre"], parcels),
        LandLease: (["lease_id"], leases),
        Loan: (["loan_id"], loans),
        Appeal: (["appeal_id"], appeals),
        NotebookEntry: (["source", "record_key", "notebook"], notebooks),
        PersonConflict: (["person_id", "attribute", "source", "record_key"], conflicts),
    }


def _source_records(
    plan: Plan, facts: dict[type[Any], tuple[list[str], list[dict[str, Any]]]]
) -> Iterator[dict[str, Any]]:
    def record(
        source: str, key: str, kind: str, person: int | None, delivery: int
    ) -> dict[str, Any]:
        return {
            "source": source,
            "record_key": key,
            "kind": kind,
            "person_id": person,
            "first_delivery_id": delivery,
            "last_delivery_id": delivery,
            "first_seen_at": SEEN_AT,
            "last_seen_at": SEEN_AT,
            "match_method": "pinfl",
            "match_score": 1.0,
        }

    for p in range(1, plan.persons + 1):
        yield record("survey", f"SV-{plan.household_of(p - 1):08d}/{p}", "person", p, 2)
    agency = [
        (TaxRegistration, "tax", "tin", 3),
        (EmploymentRecord, "employment", "record_no", 4),
        (LandLease, "land", "lease_id", 5),
        (Loan, "bank", "loan_id", 6),
        (Appeal, "appeals", "appeal_id", 7),
    ]
    for model, source, key, delivery in agency:
        for row in facts[model][1]:
            yield record(source, row[key], model.__tablename__, row["person_id"], delivery)


def _fix_sequences(session: Session) -> None:
    # Explicit ids bypass the sequences; later inserts must not collide with them.
    for table in ("person", "household", "parcel", "delivery"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def seed(url: str, plan: Plan) -> dict[str, float]:
    """Write the synthetic graph into the (migrated, empty) database at `url`."""
    rng = random.Random(plan.seed)
    timings: dict[str, float] = {}
    engine = create_hub_engine(url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            started = time.perf_counter()
            # A throw-away benchmark database written by one trusted seeder: skip the
            # per-row foreign-key triggers (the generator keeps references consistent).
            session.execute(text("SET LOCAL session_replication_role = replica"))
            session.execute(text("SET LOCAL synchronous_commit = off"))
            _territory(session)
            upsert_rows(session, Household, _households(plan, rng), key=["hub_id"])
            upsert_rows(session, Person, _persons(plan, rng), key=["hub_id"])
            upsert_rows(session, HouseholdMember, _members(plan), key=["household_id", "person_id"])
            timings["people"] = time.perf_counter() - started
            started = time.perf_counter()
            facts = _facts(plan, rng)
            for model, (key, rows) in facts.items():
                upsert_rows(session, model, rows, key=key)
            upsert_rows(
                session, SourceRecord, _source_records(plan, facts), key=["source", "record_key"]
            )
            _fix_sequences(session)
            timings["facts"] = time.perf_counter() - started
            started = time.perf_counter()
            refresh_mahalla_indicators(session)
            timings["indicators"] = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return timings


def create_database(admin_url: str, name: str) -> str:
    """(Re-)create database `name` on the server of `admin_url`, migrated; return its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    return url


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database", default="hub_bench")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    started = time.perf_counter()
    url = create_database(args.admin_url, args.database)
    timings = seed(url, Plan(persons=args.persons, seed=args.seed))
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    elapsed = time.perf_counter() - started
    sys.stdout.write(
        f"seeded {args.persons} persons into {args.database} in {elapsed:.1f} s ({stages})\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
