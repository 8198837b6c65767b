"""The project's and PostGraphile's answers to the four benchmark queries, in one shape.

`bench_api.py` measures two GraphQL servers only after checking that they answer alike: for
sample keys it asks both, maps each answer to a common shape (`project_shape`,
`postgraphile_shape`) and fails (`AnswersDifferError`) on the first difference, naming the query,
the key and the path.

The common shape is the project's response with connections flattened to lists of nodes and
date-times parsed. PostGraphile serves stored values, so its side derives the project's: enum
names from the lower-case codes (sex M/F -> MALE/FEMALE), soums from tiyin rounded half up,
`isOpen` from `closedOn`, a parcel's area from PostgreSQL's exact numeric, the current
assistant as the first of the mahalla's assistants in the project's order, and the
statistics' breakdowns from the indicators row's JSON objects, in key order as the project
lists them. Lists whose project order is not total (tax registrations by registration date,
notebook entries by notebook and source, conflicts by attribute and source) are compared as
sorted lists: their order among ties is the database's, on either side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import create_engine, text

JsonObject = dict[str, Any]

UNORDERED_LISTS = frozenset({"taxRegistrations", "notebookEntries", "conflicts"})
SEX = {"M": "MALE", "F": "FEMALE"}
TIYIN_PER_SOUM = 100


class AnswersDifferError(AssertionError):
    """The project and PostGraphile gave different answers to the same query and key."""


def _name(code: str | None) -> str | None:
    """The GraphQL enum name of a stored lower-case code."""
    return None if code is None else code.upper()


def _soums(tiyin: int | str | None) -> int | None:
    return None if tiyin is None else (int(tiyin) + TIYIN_PER_SOUM // 2) // TIYIN_PER_SOUM


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _nodes(connection: Mapping[str, Any]) -> list[JsonObject]:
    return [edge["node"] for edge in connection["edges"]]


def _sorted(items: list[JsonObject]) -> list[JsonObject]:
    return sorted(items, key=lambda item: orjson.dumps(item, option=orjson.OPT_SORT_KEYS))


def _lists(person: JsonObject) -> JsonObject:
    """`person` with its unordered lists sorted."""
    return {k: _sorted(v) if k in UNORDERED_LISTS else v for k, v in person.items()}


# --- The project's answers ---


def _project_person(data: JsonObject) -> JsonObject:
    p = dict(data["person"])
    for name in (
        "taxRegistrations",
        "employmentHistory",
        "landLeases",
        "loans",
        "notebookEntries",
        "appeals",
        "sourceRecords",
        "conflicts",
    ):
        p[name] = _nodes(p[name])
    p["appeals"] = [{**a, "receivedAt": _instant(a["receivedAt"])} for a in p["appeals"]]
    p["sourceRecords"] = [
        {**s, "lastSeenAt": _instant(s["lastSeenAt"])} for s in p["sourceRecords"]
    ]
    return _lists(p)


def project_shape(name: str, data: JsonObject) -> Any:
    """The project's `data` for query `name` in the common shape."""
    if name == "person":
        return _project_person(data)
    if name == "dashboard":
        return data["mahalla"]
    if name == "page100":
        return _nodes(data["persons"])
    return _nodes(data["mahallas"])


# --- PostGraphile's answers ---


def _household(h: JsonObject | None, full: bool) -> JsonObject | None:
    if h is None:
        return None
    shaped = {
        "hubId": h["hubId"],
        "assessedCategory": h["assessedCategory"],
        "computedCategory": h["computedCategory"],
    }
    if full:
        income = h["monthlyIncomeUzs"]
        shaped["monthlyIncome"] = None if income is None else int(income)
        shaped["needs"] = [_name(n) for n in h["needs"]]
    return shaped


def _pg_person(data: JsonObject) -> JsonObject | None:
    p = data["personByPinfl"]
    if p is None:
        return None
    leases = _nodes(p["landLeasesByPersonId"])
    return _lists(
        {
            "hubId": p["hubId"],
            "pinfl": p["pinfl"],
            "fullName": p["fullName"],
            "birthOn": p["birthOn"],
            "sex": SEX.get(p["sex"], p["sex"]),
            "occupation": _name(p["occupation"]),
            "household": _household(p["householdByHouseholdId"], full=True),
            "mahalla": p["mahallaByMahallaCode"],
            "taxRegistrations": [
                {
                    "tin": t["tin"],
                    "regime": _name(t["regime"]),
                    "isOpen": t["closedOn"] is None,
                    "declaredIncome": _soums(t["declaredIncomeTiyin"]),
                }
                for t in _nodes(p["taxRegistrationsByPersonId"])
            ],
            "employmentHistory": [
                {**e, "status": _name(e["status"])}
                for e in _nodes(p["employmentRecordsByPersonId"])
            ],
            "landLeases": [
                {
                    "leaseId": lease["leaseId"],
                    "status": _name(lease["status"]),
                    "parcel": {
                        "cadastre": lease["parcelByParcelId"]["cadastre"],
                        "areaHa": float(lease["parcelByParcelId"]["areaHa"]),
                    },
                }
                for lease in leases
            ],
            "loans": [
                {
                    "loanId": loan["loanId"],
                    "programme": _name(loan["program"]),
                    "amount": _soums(loan["amountTiyin"]),
                    "issuedOn": loan["issuedOn"],
                    "status": _name(loan["status"]),
                }
                for loan in _nodes(p["loansByPersonId"])
            ],
            "notebookEntries": [
                {"notebook": _name(n["notebook"]), "source": n["source"]}
                for n in _nodes(p["notebookEntriesByPersonId"])
            ],
            "appeals": [
                {
                    "appealId": a["appealId"],
                    "topic": _name(a["topic"]),
                    "status": _name(a["status"]),
                    "receivedAt": _instant(a["receivedAt"]),
                }
                for a in _nodes(p["appealsByPersonId"])
            ],
            "sourceRecords": [
                {**s, "lastSeenAt": _instant(s["lastSeenAt"])}
                for s in _nodes(p["sourceRecordsByPersonId"])
            ],
            "conflicts": _nodes(p["personConflictsByPersonId"]),
        }
    )


def _programmes(loans: Mapping[str, Any]) -> list[JsonObject]:
    return [
        {"programme": _name(p), "count": v["count"], "amount": _soums(v["amount_tiyin"])}
        for p, v in sorted(loans.items())
    ]


def _statistics(i: JsonObject | None, full: bool) -> JsonObject | None:
    """The project's `statistics` (the dashboard's selection, or the district's) from a
    mahalla's indicators row."""
    if i is None:
        return None
    employment = {"employed": i["employed"], "unemployed": i["unemployed"]}
    appeals = {"total": i["appealsTotal"], "open": i["appealsOpen"]}
    shaped: JsonObject = {"population": i["population"], "households": i["households"]}
    if full:
        counts = i["householdsByAssessedCategory"]
        shaped["categoryMismatches"] = i["categoryMismatches"]
        shaped["householdsByAssessedCategory"] = {
            **{f"category{c}": counts.get(str(c), 0) for c in range(1, 5)},
            "unknown": counts.get("unknown", 0),
        }
        employment |= {
            "selfEmployed": i["selfEmployed"],
            "entrepreneurs": i["entrepreneurs"],
            "publicWorks": i["publicWorks"],
            "inTraining": i["inTraining"],
        }
        appeals["byTopic"] = [
            {"topic": _name(t), "appeals": c} for t, c in sorted(i["appealsByTopic"].items())
        ]
    shaped["employment"] = employment
    if full:
        shaped["land"] = {
            "activeLeases": i["activeLeases"],
            "leasedAreaHa": float(i["leasedAreaHa"]),
        }
    shaped["loansByProgramme"] = _programmes(i["loansByProgram"])
    if full:
        shaped["notebookEntries"] = [
            {"notebook": _name(n), "persons": c} for n, c in sorted(i["notebookEntries"].items())
        ]
    shaped["appeals"] = appeals
    return shaped


def _assistant(connection: JsonObject) -> JsonObject | None:
    nodes: list[JsonObject] = connection["nodes"]
    return nodes[0] if nodes else None


def _pg_dashboard(data: JsonObject) -> JsonObject | None:
    m = data["mahallaByCode"]
    if m is None:
        return None
    district = m["districtByDistrictCode"]
    return {
        "code": m["code"],
        "name": m["name"],
        "district": {"name": district["name"], "region": district["regionByRegionCode"]},
        "assistant": _assistant(m["assistantsByMahallaCode"]),
        "statistics": _statistics(m["mahallaIndicatorByMahallaCode"], full=True),
    }


def _pg_page(data: JsonObject) -> list[JsonObject]:
    return [
        {
            "hubId": p["hubId"],
            "fullName": p["fullName"],
            "birthOn": p["birthOn"],
            "sex": SEX.get(p["sex"], p["sex"]),
            "household": _household(p["householdByHouseholdId"], full=False),
        }
        for p in _nodes(data["allPeople"])
    ]


def _pg_district(data: JsonObject) -> list[JsonObject]:
    return [
        {
            "code": m["code"],
            "name": m["name"],
            "assistant": _assistant(m["assistantsByMahallaCode"]),
            "statistics": _statistics(m["mahallaIndicatorByMahallaCode"], full=False),
        }
        for m in _nodes(data["allMahallas"])
    ]


POSTGRAPHILE_SHAPES: dict[str, Callable[[JsonObject], Any]] = {
    "person": _pg_person,
    "dashboard": _pg_dashboard,
    "page100": _pg_page,
    "district": _pg_district,
}


def postgraphile_shape(name: str, data: JsonObject) -> Any:
    """PostGraphile's `data` for query `name` in the common shape."""
    return POSTGRAPHILE_SHAPES[name](data)


# --- Comparison ---

RECORD_TABLES = (
    "tax_registration",
    "employment_record",
    "land_lease",
    "loan",
    "notebook_entry",
    "appeal",
    "person_conflict",
)


def persons_with_records(url: str, per_table: int = 2) -> list[str]:
    """PINFLs of the persons with the most records of each kind, so that the check sees
    every list of the person query filled (a random sample is mostly empty lists)."""
    engine = create_engine(url)
    pinfls: list[str] = []
    try:
        with engine.connect() as connection:
            for table in RECORD_TABLES:
                pinfls += connection.scalars(
                    text(
                        f"SELECT p.pinfl FROM person p JOIN {table} r ON r.person_id = p.id "
                        "WHERE p.pinfl IS NOT NULL GROUP BY p.pinfl "
                        "ORDER BY count(*) DESC, p.pinfl LIMIT :n"
                    ),
                    {"n": per_table},
                )
    finally:
        engine.dispose()
    return list(dict.fromkeys(pinfls))


def first_difference(ours: Any, theirs: Any, path: str = "") -> str | None:
    """Where `ours` and `theirs` first differ ("path: ours != theirs"), or None if equal."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(ours.keys() | theirs.keys()):
            if key not in ours or key not in theirs:
                return f"{path}.{key}: only in {'ours' if key in ours else 'theirs'}"
            found = first_difference(ours[key], theirs[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items != {len(theirs)} items"
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if ours != theirs or type(ours) is not type(theirs):
        return f"{path}: {ours!r} != {theirs!r}"
    return None


def check_same(name: str, key: str, project: JsonObject, postgraphile: JsonObject) -> None:
    """Raise `AnswersDifferError` unless both responses have data and it has the same shape."""
    for server, body in (("project", project), ("PostGraphile", postgraphile)):
        if body.get("errors") or body.get("data") is None:
            raise AnswersDifferError(f"{name} {key}: {server} answered {str(body)[:300]}")
    ours = project_shape(name, project["data"])
    theirs = postgraphile_shape(name, postgraphile["data"])
    difference = first_difference(ours, theirs)
    if difference is not None:
        raise AnswersDifferError(f"{name} {key}: project and PostGraphile differ at {difference}")
