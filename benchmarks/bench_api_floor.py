"""The floor of `bench_api.py`: the four benchmark queries' data read by hand-written SQL and
returned by plain Starlette JSON endpoints (`/floor/<query>?key=...`), mounted beside the API
on the same app, engine, server and event loop (`create_bench_app`, the uvicorn factory the
benchmark's servers run). What the GraphQL API costs above it is the price of GraphQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_PERSON_SQL = text(
    """SELECT p.id, p.hub_id, p.pinfl, p.full_name, p.birth_on, p.sex, p.occupation,
              h.hub_id, h.assessed_category, h.computed_category, h.monthly_income_uzs, h.needs,
              m.code, m.name
       FROM person p LEFT JOIN household h ON h.id = p.household_id
       LEFT JOIN mahalla m ON m.code = p.mahalla_code WHERE p.pinfl = :pinfl"""
)
_PERSON_LISTS = {
    "taxRegistrations": (
        "SELECT tin, regime, closed_on IS NULL, (declared_income_tiyin + 50) / 100 "
        "FROM tax_registration WHERE person_id = :id ORDER BY registered_on",
        ("tin", "regime", "isOpen", "declaredIncome"),
    ),
    "employmentHistory": (
        "SELECT record_no, status, status_on FROM employment_record WHERE person_id = :id "
        "ORDER BY status_on, record_no",
        ("recordNo", "status", "statusOn"),
    ),
    "landLeases": (
        "SELECT l.lease_id, l.status, p.cadastre, p.area_ha FROM land_lease l "
        "JOIN parcel p ON p.id = l.parcel_id WHERE l.person_id = :id ORDER BY l.start_on",
        ("leaseId", "status", "cadastre", "areaHa"),
    ),
    "loans": (
        "SELECT loan_id, program, (amount_tiyin + 50) / 100, issued_on, status FROM loan "
        "WHERE person_id = :id ORDER BY issued_on, loan_id",
        ("loanId", "programme", "amount", "issuedOn", "status"),
    ),
    "notebookEntries": (
        "SELECT notebook, source FROM notebook_entry WHERE person_id = :id",
        ("notebook", "source"),
    ),
    "appeals": (
        "SELECT appeal_id, topic, status, received_at FROM appeal WHERE person_id = :id "
        "ORDER BY received_at",
        ("appealId", "topic", "status", "receivedAt"),
    ),
    "sourceRecords": (
        "SELECT source, record_key, last_seen_at FROM source_record WHERE person_id = :id "
        "ORDER BY source, record_key",
        ("source", "recordKey", "lastSeenAt"),
    ),
    "conflicts": (
        "SELECT attribute, value, surviving_value FROM person_conflict WHERE person_id = :id",
        ("attribute", "value", "survivingValue"),
    ),
}
_DASHBOARD_SQL = text(
    """SELECT m.code, m.name, d.name, r.name, a.full_name, a.phone, i.population,
              i.households, i.category_mismatches, i.households_by_assessed_category,
              i.employed, i.unemployed, i.self_employed, i.entrepreneurs, i.public_works,
              i.in_training, i.active_leases, i.leased_area_ha, i.loans_by_program,
              i.notebook_entries, i.appeals_total, i.appeals_open, i.appeals_by_topic
       FROM mahalla m JOIN district d ON d.code = m.district_code
       JOIN region r ON r.code = d.region_code
       LEFT JOIN assistant a ON a.mahalla_code = m.code AND a.is_current
       LEFT JOIN mahalla_indicators i ON i.mahalla_code = m.code WHERE m.code = :code"""
)
_PAGE_SQL = text(
    """SELECT p.hub_id, p.full_name, p.birth_on, p.sex, h.hub_id, h.assessed_category,
              h.computed_category
       FROM person p LEFT JOIN household h ON h.id = p.household_id
       WHERE p.mahalla_code = :code ORDER BY p.hub_id LIMIT 100"""
)
_DISTRICT_SQL = text(
    """SELECT m.code, m.name, a.full_name, i.population, i.households, i.employed,
              i.unemployed, i.loans_by_program, i.appeals_total, i.appeals_open
       FROM mahalla m LEFT JOIN assistant a ON a.mahalla_code = m.code AND a.is_current
       LEFT JOIN mahalla_indicators i ON i.mahalla_code = m.code
       WHERE m.district_code = :code ORDER BY m.code LIMIT 100"""
)


def _programmes(loans: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {"programme": p, "count": v["count"], "amount": (v["amount_tiyin"] + 50) // 100}
        for p, v in sorted((loans or {}).items())
    ]


def _floor_person(connection: Connection, pinfl: str) -> dict[str, Any] | None:
    row = connection.execute(_PERSON_SQL, {"pinfl": pinfl}).first()
    if row is None:
        return None
    person: dict[str, Any] = {
        "hubId": row[1],
        "pinfl": row[2],
        "fullName": row[3],
        "birthOn": row[4],
        "sex": row[5],
        "occupation": row[6],
        "household": {
            "hubId": row[7],
            "assessedCategory": row[8],
            "computedCategory": row[9],
            "monthlyIncome": row[10],
            "needs": row[11],
        },
        "mahalla": {"code": row[12], "name": row[13]},
    }
    for name, (sql, keys) in _PERSON_LISTS.items():
        rows = connection.execute(text(sql), {"id": row[0]})
        person[name] = [dict(zip(keys, r, strict=True)) for r in rows]
    return person


def _floor_dashboard(connection: Connection, code: str) -> dict[str, Any] | None:
    r = connection.execute(_DASHBOARD_SQL, {"code": code}).first()
    if r is None:
        return None
    return {
        "code": r[0],
        "name": r[1],
        "district": {"name": r[2], "region": {"name": r[3]}},
        "assistant": {"fullName": r[4], "phone": r[5]},
        "statistics": {
            "population": r[6],
            "households": r[7],
            "categoryMismatches": r[8],
            "householdsByAssessedCategory": r[9],
            "employment": {
                "employed": r[10],
                "unemployed": r[11],
                "selfEmployed": r[12],
                "entrepreneurs": r[13],
                "publicWorks": r[14],
                "inTraining": r[15],
            },
            "land": {"activeLeases": r[16], "leasedAreaHa": r[17]},
            "loansByProgramme": _programmes(r[18]),
            "notebookEntries": [{"notebook": n, "persons": c} for n, c in r[19].items()],
            "appeals": {
                "total": r[20],
                "open": r[21],
                "byTopic": [{"topic": t, "appeals": c} for t, c in r[22].items()],
            },
        },
    }


def _floor_page(connection: Connection, code: str) -> list[dict[str, Any]]:
    rows = connection.execute(_PAGE_SQL, {"code": code}).all()
    return [
        {
            "hubId": r[0],
            "fullName": r[1],
            "birthOn": r[2],
            "sex": r[3],
            "household": {"hubId": r[4], "assessedCategory": r[5], "computedCategory": r[6]},
        }
        for r in rows
    ]


def _floor_district(connection: Connection, code: str) -> list[dict[str, Any]]:
    rows = connection.execute(_DISTRICT_SQL, {"code": code}).all()
    return [
        {
            "code": r[0],
            "name": r[1],
            "assistant": {"fullName": r[2]},
            "statistics": {
                "population": r[3],
                "households": r[4],
                "employment": {"employed": r[5], "unemployed": r[6]},
                "loansByProgramme": _programmes(r[7]),
                "appeals": {"total": r[8], "open": r[9]},
            },
        }
        for r in rows
    ]


FLOORS: dict[str, tuple[str, Callable[[Connection, str], Any]]] = {
    "person": ("pinfl", _floor_person),
    "dashboard": ("code", _floor_dashboard),
    "page100": ("code", _floor_page),
    "district": ("code", _floor_district),
}


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# How the floor reads (`--floor-reads`), passed to the servers.
FLOOR_READS_VARIABLE = "BENCH_FLOOR_READS"
# `--access`: "keys" (the server's default) or "off" (every request the agency the key
# names, no key lookup and no audit; the rules and limits still apply).
ACCESS_VARIABLE = "BENCH_ACCESS"


def create_bench_app() -> Starlette:
    """The API app (`hub.api.app.create_app`, settings from the environment) plus the floor
    endpoints `/floor/<query>?key=...` on the same engine, server and event loop."""
    from hub.api.app import create_app

    if os.environ.get(ACCESS_VARIABLE) == "off":
        from hub.api.principal import SCOPES, Principal, Role

        agency = Principal(name="bench", role=Role.AGENCY, scopes=SCOPES)

        async def trusted(request: Request) -> Principal:
            return agency

        app = create_app(authenticator=trusted, audit=False)
    elif os.environ.get(ACCESS_VARIABLE) == "keys-no-audit":  # bench_access_cpu.py
        app = create_app(audit=False)
    else:
        app = create_app()
    engine: Engine | AsyncEngine = app.state.engine
    if os.environ.get(FLOOR_READS_VARIABLE) == "threads" and isinstance(engine, AsyncEngine):
        # A synchronous engine of the floor's own, read in Starlette's thread pool.
        from hub.graph.database import create_hub_engine

        engine = create_hub_engine(
            engine.url.render_as_string(hide_password=False),
            pool_size=10,
            max_overflow=20,
            isolation_level="AUTOCOMMIT",
        )

    def endpoint(fetch: Callable[[Connection, str], Any]) -> Callable[[Request], Any]:
        # By default the floor reads as the API does: awaited on the loop with PostgreSQL's
        # asyncio engine, in the thread pool with a synchronous one.
        def fetch_sync(key: str) -> Any:
            assert isinstance(engine, Engine)
            with engine.connect() as connection:
                return fetch(connection, key)

        async def handle(request: Request) -> Response:
            key = request.query_params["key"]
            if isinstance(engine, AsyncEngine):
                async with engine.connect() as connection:
                    data = await connection.run_sync(fetch, key)
            else:
                data = await run_in_threadpool(fetch_sync, key)
            body = orjson.dumps({"data": data}, default=_json_default)
            return Response(body, media_type="application/json")

        return handle

    for name, (_, fetch) in FLOORS.items():
        app.router.routes.append(Route(f"/floor/{name}", endpoint(fetch), methods=["GET"]))
    return app
