"""A small mahalla graph on both backends, the API over it, and an SQL statement counter.

The graph is written with the bulk helpers the pipeline uses, then its indicators are
refreshed, so the API reads exactly what a load would leave behind. Tests refer to its
records by their natural keys (P-1 = PINFL 31503851234566, H-1, mahalla 1703202001; 120
filler persons P-F000… with two loans each in mahalla 1703203001).
"""

from __future__ import annotations

import os
import secrets
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.requests import Request

from hub.api.app import create_app
from hub.api.limits.settings import LimitSettings, default_roles
from hub.api.principal import SCOPES, Principal, Role, UnauthenticatedError
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.diagnostics.indicators import refresh_mahalla_indicators
from hub.graph.bulk import upsert_rows
from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database
from hub.graph.models import (
    Appeal,
    Assistant,
    Business,
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
    Reject,
    SourceRecord,
    TaxRegistration,
)
from hub.identity.names import normalise_name

TASHKENT = timezone(timedelta(hours=5))
POSTGRES_ADMIN_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
FILLER_MAHALLA = "1703203001"
FILLER_PERSONS = 120
MAIN_PINFL = "31503851234566"


@dataclass
class FixtureGraph:
    """Keys of what `build_graph` wrote, for assertions."""

    person_ids: dict[str, int] = field(default_factory=dict)
    household_ids: dict[str, int] = field(default_factory=dict)
    built_at: datetime = datetime(2022, 12, 1, 10, tzinfo=TASHKENT)


def _ids(session: Session, model: Any, key: str) -> dict[str, int]:
    column = getattr(model, key)
    return {k: i for k, i in session.execute(select(column, model.id))}


def _person(hub_id: str, full_name: str, **values: Any) -> dict[str, Any]:
    name = normalise_name(full_name)
    assert name is not None
    row = {
        "hub_id": hub_id,
        "pinfl": None,
        "full_name": name.latin,
        "surname": name.surname,
        "given_name": name.given,
        "patronymic": name.patronymic,
        "name_key": name.key,
        "surname_key": name.surname_key,
        "birth_on": None,
        "sex": None,
        "mahalla_code": None,
        "occupation": None,
    }
    row.update(values)
    return row


def _territory(session: Session) -> None:
    upsert_rows(
        session,
        Region,
        [
            {"code": "1703", "name": "Andijon viloyati", "name_ru": None, "iso_code": "UZ-AN"},
            {"code": "1726", "name": "Toshkent shahri", "name_ru": None, "iso_code": "UZ-TK"},
        ],
        key=["code"],
    )
    upsert_rows(
        session,
        District,
        [
            {"code": "1703202", "region_code": "1703", "name": "Asaka tumani"},
            {"code": "1703203", "region_code": "1703", "name": "Baliqchi tumani"},
            {"code": "1726401", "region_code": "1726", "name": "Bektemir tumani"},
        ],
        key=["code"],
    )
    mahallas = [
        ("1703202001", "1703202", "Navbahor MFY"),
        ("1703202002", "1703202", "Bogʻishamol MFY"),
        (FILLER_MAHALLA, "1703203", "Yangiobod MFY"),
        ("1726401001", "1726401", "Chinor MFY"),
    ]
    upsert_rows(
        session,
        Mahalla,
        [{"code": c, "district_code": d, "name": n, "stir": "207123456"} for c, d, n in mahallas],
        key=["code"],
    )
    upsert_rows(
        session,
        Assistant,
        [
            {
                "id": "A-00001",
                "full_name": "Olimov Botir",
                "phone": "+998901111111",
                "mahalla_code": "1703202001",
                "appointed_on": date(2022, 1, 1),
                "is_current": False,
            },
            {
                "id": "A-00002",
                "full_name": "Karimov Jasur Anvar oʻgʻli",
                "phone": "+998901234567",
                "mahalla_code": "1703202001",
                "appointed_on": date(2023, 3, 1),
                "is_current": True,
            },
        ],
        key=["id"],
    )


def _deliveries(session: Session) -> None:
    def delivery(i: int, source: str, status: str, at: datetime, **extra: Any) -> dict[str, Any]:
        return {
            "id": i,
            "source": source,
            "name": f"{source}-{i}",
            "status": status,
            "started_at": at,
            "finished_at": at + timedelta(minutes=5),
            "delivered": extra.get("delivered", 0),
            "accepted": extra.get("accepted", 0),
            "rejected": extra.get("rejected", 0),
            "message": extra.get("message"),
        }

    upsert_rows(
        session,
        Delivery,
        [
            delivery(
                1,
                "survey",
                "loaded",
                datetime(2022, 12, 1, 6, tzinfo=UTC),
                delivered=10,
                accepted=10,
            ),
            delivery(
                2,
                "bank",
                "failed",
                datetime(2022, 12, 2, 6, tzinfo=UTC),
                message="HTTP 403 from the bank gateway",
            ),
            delivery(
                3,
                "bank",
                "loaded",
                datetime(2022, 12, 3, 6, tzinfo=UTC),
                delivered=7,
                accepted=5,
                rejected=2,
            ),
        ],
        key=["id"],
    )


def _households_and_people(session: Session) -> FixtureGraph:
    def household(hub_id: str, mahalla: str, **values: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "hub_id": hub_id,
            "survey_id": f"SV-{hub_id}",
            "mahalla_code": mahalla,
            "assistant_id": None,
            "street": "Navoiy koʻchasi",
            "house": "12",
            "apartment": None,
            "surveyed_on": date(2022, 1, 14),
            "assessed_category": None,
            "computed_category": None,
            "monthly_income_uzs": None,
            "plot_sotix": None,
            "needs": [],
        }
        row.update(values)
        return row

    households = [
        household(
            "H-1",
            "1703202001",
            assistant_id="A-00002",
            assessed_category=3,
            computed_category=4,
            monthly_income_uzs=2_400_000,
            plot_sotix=4.5,
            needs=["subsidy", "vocational_training"],
        ),
        household(
            "H-2",
            "1703202002",
            assessed_category=1,
            computed_category=1,
            monthly_income_uzs=9_000_000,
            surveyed_on=date(2022, 2, 1),
        ),
        household("H-3", "1726401001", surveyed_on=date(2021, 12, 1)),
    ]
    households += [
        household(f"H-F{i:03d}", FILLER_MAHALLA, assessed_category=2, computed_category=2)
        for i in range(FILLER_PERSONS)
    ]
    upsert_rows(session, Household, households, key=["hub_id"])
    graph = FixtureGraph(household_ids=_ids(session, Household, "hub_id"))
    hh = graph.household_ids
    persons = [
        _person(
            "P-1",
            "Abdullayev Akmal Baxtiyor o‘g‘li",
            pinfl=MAIN_PINFL,
            sex="M",
            birth_on=date(1985, 3, 15),
            mahalla_code="1703202001",
            household_id=hh["H-1"],
            occupation="unemployed",
        ),
        _person(
            "P-2",
            "Abdullayeva Dilnoza Rustam qizi",
            pinfl="42010881234561",
            sex="F",
            birth_on=date(1988, 10, 20),
            mahalla_code="1703202001",
            household_id=hh["H-1"],
            occupation="homemaker",
        ),
        _person(
            "P-3",
            "Karimov Jasur Anvar o‘g‘li",
            pinfl="50101011234567",
            sex="M",
            birth_on=date(2001, 1, 1),
            mahalla_code="1703202002",
            household_id=hh["H-2"],
            occupation="student",
        ),
        _person(
            "P-4",
            "Tosheva Malika",
            sex="F",
            birth_on=date(1960, 5, 5),
            mahalla_code="1726401001",
            household_id=hh["H-3"],
            occupation="pensioner",
        ),
    ]
    persons += [
        _person(
            f"P-F{i:03d}",
            f"Rahimov Filler{chr(97 + i % 26)} Olim o‘g‘li",
            sex="M",
            birth_on=date(1970 + i % 30, 1, 1),
            mahalla_code=FILLER_MAHALLA,
            household_id=hh[f"H-F{i:03d}"],
            occupation="employed",
        )
        for i in range(FILLER_PERSONS)
    ]
    upsert_rows(session, Person, persons, key=["hub_id"])
    graph.person_ids = _ids(session, Person, "hub_id")
    pid = graph.person_ids
    members = [
        (hh["H-1"], pid["P-1"], 1, "head"),
        (hh["H-1"], pid["P-2"], 2, "spouse"),
        (hh["H-2"], pid["P-3"], 1, "head"),
        (hh["H-3"], pid["P-4"], 1, "head"),
    ] + [(hh[f"H-F{i:03d}"], pid[f"P-F{i:03d}"], 1, "head") for i in range(FILLER_PERSONS)]
    upsert_rows(
        session,
        HouseholdMember,
        [
            {"household_id": h, "person_id": p, "member_no": n, "relation": r}
            for h, p, n, r in members
        ],
        key=["household_id", "person_id"],
    )
    return graph


def _activities(session: Session, graph: FixtureGraph) -> None:
    pid = graph.person_ids
    at = datetime(2022, 12, 1, 10, tzinfo=TASHKENT)
    upsert_rows(
        session,
        TaxRegistration,
        [
            {
                "tin": "412345678",
                "person_id": pid["P-1"],
                "regime": "self_employed",
                "activity_code": "47190",
                "registered_on": date(2022, 5, 1),
                "closed_on": None,
                "declared_income_tiyin": 1_250_000_000,
                "tax_year": 2022,
                "mahalla_code": "1703202001",
                "address": "Asaka t., Navoiy ko'ch. 12",
                "source_updated_at": at,
            },
            {
                "tin": "512345678",
                "person_id": pid["P-3"],
                "regime": "individual_entrepreneur",
                "activity_code": None,
                "registered_on": date(2021, 5, 1),
                "closed_on": date(2023, 1, 1),
                "declared_income_tiyin": None,
                "tax_year": None,
                "mahalla_code": "1703202002",
                "address": None,
                "source_updated_at": at,
            },
        ],
        key=["tin"],
    )
    upsert_rows(
        session,
        EmploymentRecord,
        [
            {
                "record_no": "E2022-0000001",
                "person_id": pid["P-1"],
                "status": "unemployed",
                "status_on": date(2022, 2, 1),
                "employer_tin": None,
                "referral": None,
                "mahalla_code": "1703202001",
                "source_file": "employment_2022-02.csv",
            },
            {
                "record_no": "E2022-0000002",
                "person_id": pid["P-1"],
                "status": "employed",
                "status_on": date(2022, 6, 1),
                "employer_tin": "207654321",
                "referral": None,
                "mahalla_code": "1703202001",
                "source_file": "employment_2022-06.csv",
            },
        ],
        key=["record_no"],
    )
    upsert_rows(
        session,
        Parcel,
        [
            {
                "cadastre": "17:03:02:01:02:0123",
                "mahalla_code": "1703202001",
                "area_ha": "0.1200",
                "purpose": "household_plot",
                "crop": "tomato",
            },
            {
                "cadastre": "17:03:02:01:02:0999",
                "mahalla_code": "1703202001",
                "area_ha": "0.5000",
                "purpose": "greenhouse",
                "crop": None,
            },
        ],
        key=["cadastre"],
    )
    parcels = _ids(session, Parcel, "cadastre")
    upsert_rows(
        session,
        Business,
        [{"tin": "207000001", "name": "Asaka Agro MChJ", "mahalla_code": "1703202001"}],
        key=["tin"],
    )
    business = _ids(session, Business, "tin")

    def lease(lease_id: str, parcel: str, **values: Any) -> dict[str, Any]:
        row = {
            "lease_id": lease_id,
            "contract": f"{lease_id}/2022",
            "status": "active",
            "parcel_id": parcels[parcel],
            "person_id": None,
            "business_id": None,
            "lessee_kind": "person",
            "lessee_name": None,
            "start_on": date(2022, 3, 1),
            "end_on": date(2027, 2, 28),
            "is_current": True,
            "snapshot_on": date(2022, 12, 1),
        }
        row.update(values)
        return row

    upsert_rows(
        session,
        LandLease,
        [
            lease(
                "LS-1", "17:03:02:01:02:0123", person_id=pid["P-1"], lessee_name="Abdullayev A. B."
            ),
            lease(
                "LS-2",
                "17:03:02:01:02:0999",
                business_id=business["207000001"],
                lessee_kind="legal_entity",
                lessee_name="Asaka Agro",
            ),
            lease(
                "LS-3",
                "17:03:02:01:02:0123",
                person_id=pid["P-2"],
                status="terminated",
                is_current=False,
                start_on=date(2020, 1, 1),
            ),
        ],
        key=["lease_id"],
    )

    def loan(
        loan_id: str, person: str | None, program: str, amount: int, **values: Any
    ) -> dict[str, Any]:
        row = {
            "loan_id": loan_id,
            "bank_mfo": "00873",
            "kind": "loan",
            "program": program,
            "person_id": None if person is None else pid[person],
            "borrower_name": None,
            "amount_tiyin": amount,
            "issued_on": date(2022, 4, 11),
            "term_months": 36,
            "status": "active",
            "purpose": "greenhouse",
            "mahalla_code": "1703202001",
        }
        row.update(values)
        return row

    loans = [
        loan(
            "00873-2022-000001",
            "P-1",
            "family_entrepreneurship",
            3_000_000_000,
            borrower_name="ABDULLAEV A.B.",
        ),
        loan(
            "00873-2022-000002",
            "P-2",
            "women_notebook",
            500_050,
            kind="subsidy",
            issued_on=date(2022, 5, 1),
        ),
    ]
    loans += [
        loan(
            f"00873-2022-1{i:05d}",
            f"P-F{i // 2:03d}",
            "microloan",
            10_000_000 + i,
            mahalla_code=FILLER_MAHALLA,
            issued_on=date(2022, 1, 1) + timedelta(days=i),
        )
        for i in range(FILLER_PERSONS * 2)
    ]
    upsert_rows(session, Loan, loans, key=["loan_id"])
    upsert_rows(
        session,
        NotebookEntry,
        [
            {
                "person_id": pid["P-2"],
                "notebook": "women",
                "source": "survey",
                "record_key": "SV-H-1/2",
                "entered_on": date(2022, 1, 14),
            },
            {
                "person_id": pid["P-1"],
                "notebook": "iron",
                "source": "survey",
                "record_key": "SV-H-1/1",
                "entered_on": None,
            },
        ],
        key=["source", "record_key", "notebook"],
    )
    upsert_rows(
        session,
        Appeal,
        [
            {
                "appeal_id": "AP-2022-0000001",
                "person_id": pid["P-1"],
                "received_at": datetime(2022, 7, 3, 9, 15, tzinfo=TASHKENT),
                "channel": "assistant",
                "mahalla_code": "1703202001",
                "applicant_name": "Abdullayev Akmal",
                "applicant_phone": "+998901234567",
                "topic": "employment",
                "addressed_to": "district_khokimiyat",
                "status": "received",
                "resolved_at": None,
            },
            {
                "appeal_id": "AP-2022-0000002",
                "person_id": None,
                "received_at": datetime(2022, 8, 1, 8, 0, tzinfo=TASHKENT),
                "channel": "hotline",
                "mahalla_code": "1703202001",
                "applicant_name": None,
                "applicant_phone": None,
                "topic": "gas",
                "addressed_to": None,
                "status": "resolved",
                "resolved_at": datetime(2022, 8, 10, 16, 0, tzinfo=TASHKENT),
            },
        ],
        key=["appeal_id"],
    )


def _provenance(session: Session, graph: FixtureGraph) -> None:
    pid = graph.person_ids
    seen = datetime(2022, 12, 1, 6, 5, tzinfo=UTC)
    upsert_rows(
        session,
        SourceRecord,
        [
            {
                "source": "survey",
                "record_key": "SV-H-1/1",
                "kind": "person",
                "person_id": pid["P-1"],
                "first_delivery_id": 1,
                "last_delivery_id": 1,
                "first_seen_at": seen,
                "last_seen_at": seen,
                "pinfl": MAIN_PINFL,
                "pinfl_issue": None,
                "match_method": "pinfl",
                "match_score": 1.0,
            },
            {
                "source": "bank",
                "record_key": "00873-2022-000001",
                "kind": "loan",
                "person_id": pid["P-1"],
                "first_delivery_id": 2,
                "last_delivery_id": 3,
                "first_seen_at": seen,
                "last_seen_at": seen + timedelta(days=2),
                "pinfl": None,
                "pinfl_issue": "missing",
                "match_method": "probabilistic",
                "match_score": 0.93,
            },
        ],
        key=["source", "record_key"],
    )
    upsert_rows(
        session,
        PersonConflict,
        [
            {
                "person_id": pid["P-1"],
                "attribute": "birth_on",
                "value": "1985-03-16",
                "surviving_value": "1985-03-15",
                "source": "bank",
                "record_key": "00873-2022-000001",
            },
        ],
        key=["person_id", "attribute", "source", "record_key"],
    )
    upsert_rows(
        session,
        Reject,
        [
            {
                "id": 1,
                "source": "bank",
                "record_key": "00873-2022-000009",
                "delivery_id": 3,
                "stage": "stage",
                "rule": "pinfl_checksum",
                "reasons": ["PINFL check digit"],
                "raw": '{"loan_id": "00873-2022-000009"}',
                "origin": "offset 0",
                "status": "open",
            },
            {
                "id": 2,
                "source": "bank",
                "record_key": "00873-2022-000010",
                "delivery_id": 3,
                "stage": "stage",
                "rule": "amount_negative",
                "reasons": ["amount < 0"],
                "raw": "{}",
                "origin": "offset 0",
                "status": "open",
            },
            {
                "id": 3,
                "source": "survey",
                "record_key": "SV-H-9/1",
                "delivery_id": 1,
                "stage": "connect",
                "rule": "pinfl_checksum",
                "reasons": ["bad PINFL"],
                "raw": "{}",
                "origin": "survey_1.jsonl:3",
                "status": "resolved",
            },
        ],
        key=["id"],
    )


def build_graph(session: Session) -> FixtureGraph:
    _territory(session)
    _deliveries(session)
    graph = _households_and_people(session)
    _activities(session, graph)
    _provenance(session, graph)
    refresh_mahalla_indicators(session)
    return graph


with warnings.catch_warnings():
    # starlette suggests httpx2 for its test client; httpx is what the project pins.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


T = TypeVar("T")


@dataclass(frozen=True)
class BuiltGraph:
    url: str
    graph: FixtureGraph


@contextmanager
def _postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    # The suite's `postgres_server` decides whether PostgreSQL runs are skipped (locally) or
    # fail (CI); this graph gets a database of its own so that tests writing through
    # `graph_db` in the same worker never see it.
    request.getfixturevalue("postgres_server")
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hub_api_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def built_graph(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltGraph]:
    """The fixture graph, built once per backend and only read by the API tests.

    Every API test reads and none writes, so one build per backend serves them all (the
    suite's `graph_db` rebuilds for each test, which writing tests need).
    """
    with built_database(request, tmp_path_factory, "api-graph", build_graph) as (url, graph):
        yield BuiltGraph(url=url, graph=graph)


@contextmanager
def built_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    build: Callable[[Session], T],
) -> Iterator[tuple[str, T]]:
    """A migrated database on the backend `request.param` names ("sqlite": a file in a
    temporary folder called `name`; "postgresql": a database of its own), filled by
    `build` in one transaction: its URL and what `build` returned."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'hub.sqlite3'}"
        else:
            url = stack.enter_context(_postgres_database(request))
        upgrade_database(url)
        engine = create_hub_engine(url)
        try:
            with create_session_factory(engine)() as session, session.begin():
                built = build(session)
        finally:
            engine.dispose()
        yield url, built


@contextmanager
def api_app_over(url: str, data_dir: Any) -> Iterator[tuple[TestClient, Any, TestPrincipals]]:
    """The API app over the database at `url`, with the tests' principals and limits:
    its client, its engine and the principals (what `Api` takes)."""
    settings = HubSettings(database_url=url, data_dir=data_dir)
    principals = TestPrincipals()
    app = create_app(
        settings,
        api_settings=ApiSettings(graphiql=False),
        authenticator=principals,
        limit_settings=TEST_LIMITS,
    )
    with TestClient(app) as client:
        yield client, app.state.engine, principals


@pytest.fixture
def fixture_graph(built_graph: BuiltGraph) -> FixtureGraph:
    return built_graph.graph


@pytest.fixture
def connection(built_graph: BuiltGraph) -> Iterator[Connection]:
    """A connection to the fixture graph's database, for data-layer tests."""
    engine = create_hub_engine(built_graph.url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


# Whom a test's request comes from when it names nobody (`Api.query(as_=...)`): an
# agency with every scope and no territory sees every person, household and record.
DEFAULT_PRINCIPAL = Principal(name="test-agency", role=Role.AGENCY, scopes=SCOPES)
# The pipeline's side (deliveries, sources, the quarantine, the linkage review lists).
ENGINEER = Principal(name="test-engineer", role=Role.ENGINEER, scopes=frozenset({"personal"}))


class TestPrincipals:
    """The test app's authenticator: a bearer token per principal a test asked for.

    `token_for` hands out a token for a principal; a request with no token or an unknown
    one is refused as the server would refuse it."""

    __test__ = False

    def __init__(self) -> None:
        self._by_token: dict[str, Principal] = {}
        self._by_principal: dict[Principal, str] = {}

    def token_for(self, principal: Principal) -> str:
        token = self._by_principal.get(principal)
        if token is None:
            token = secrets.token_urlsafe(16)
            self._by_token[token] = principal
            self._by_principal[principal] = token
        return token

    async def __call__(self, request: Request) -> Principal:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = self._by_token.get(token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise UnauthenticatedError("A valid API key is required.")
        return principal


class Api:
    """The API over the fixture graph: `query` posts a request and returns the JSON body.

    Statements are counted only inside `count_statements`: a listener on the engine's
    statement events turns off the API's driver-level reads (`hub.api.driver_rows`), which
    every other request should go through as in production."""

    def __init__(self, client: TestClient, engine: Any, principals: TestPrincipals) -> None:
        self.client = client
        self.principals = principals
        # The engine requests read with (an asyncio engine on PostgreSQL) and the one that
        # takes event listeners (an asyncio engine's synchronous face).
        self.app_engine = engine
        self.engine = getattr(engine, "sync_engine", engine)
        self.statements: list[str] = []
        # Whom a request comes from when the test names nobody.
        self.principal = DEFAULT_PRINCIPAL

    def acting_as(self, principal: Principal) -> Api:
        """This API with requests coming from `principal` unless a test names another."""
        api = Api(self.client, self.app_engine, self.principals)
        api.principal = principal
        return api

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        *,
        as_: Principal | None = None,
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={**self.auth(as_ or self.principal), **(headers or {})},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def auth(self, principal: Principal | None = None) -> dict[str, str]:
        """The headers that make a request come from `principal`."""
        token = self.principals.token_for(principal or self.principal)
        return {"Authorization": f"Bearer {token}"}

    def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_: Principal | None = None,
    ) -> dict[str, Any]:
        body = self.query(query, variables, as_=as_)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    def count_statements(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_: Principal | None = None,
    ) -> int:
        self.statements.clear()
        event.listen(self.engine, "before_cursor_execute", self._count)
        try:
            self.data(query, variables, as_=as_)
        finally:
            event.remove(self.engine, "before_cursor_execute", self._count)
        return len(self.statements)


# The server's limits (the defaults) without the per-minute rate limit: the suite's
# requests share one app and one key per principal, so their sum would depend on how many
# tests run within a minute. Rate limits are tested by apps of their own (tests/hub/api/limits).
TEST_LIMITS = LimitSettings(
    roles={role: replace(limits, cost_per_minute=0) for role, limits in default_roles().items()}
)


@pytest.fixture(scope="session")
def _api_app(
    built_graph: BuiltGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Any, TestPrincipals]]:
    with api_app_over(built_graph.url, tmp_path_factory.mktemp("d")) as app:
        yield app


@pytest.fixture
def api(_api_app: tuple[TestClient, Any, TestPrincipals]) -> Api:
    """The API over the fixture graph (which can count the SQL statements of a query)."""
    client, engine, principals = _api_app
    return Api(client, engine, principals)
