"""A strict, stdlib-only reading of every delivered row against contracts/SOURCES.md.

`unreadable_rows(world)` returns the (file, row) of every row that breaks the contract, with
rows numbered as in truth/corrupt_rows.csv. PINFL noise is not a breach: the contract allows
missing, malformed and mistyped PINFLs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

EMPLOYMENT_STATUSES = {
    "безработный",
    "трудоустроен",
    "общественные работы",
    "самозанятый",
    "обучение",
}
RELATIONS = {"head", "spouse", "child", "parent", "sibling", "grandchild", "other"}
OCCUPATIONS = {"employed", "unemployed", "self_employed", "entrepreneur", "public_works", "student",
               "pensioner", "child", "homemaker", "migrant_worker", "disabled"}  # fmt: skip
NEEDS = {"vocational_training", "job", "subsidy", "loan", "land", "housing_repair", "medical",
         "social_aid"}  # fmt: skip


def iso_date(text: object) -> bool:
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return isinstance(text, str) and len(text) == 10


def iso_datetime(text: object) -> bool:
    try:
        datetime.fromisoformat(str(text))
    except ValueError:
        return False
    return isinstance(text, str)


def dotted_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%d.%m.%Y")
    except ValueError:
        return False
    return True


def _jsonl(path: Path, check: Callable[[dict[str, Any]], bool]) -> Iterator[int]:
    for row, line in enumerate(path.read_text(encoding="utf-8").split("\n")[:-1], start=1):
        try:
            record = json.loads(line)
        except ValueError:
            yield row
            continue
        if not check(record):
            yield row


def survey_ok(r: dict[str, Any]) -> bool:
    members = r.get("members")
    return (
        isinstance(r.get("survey_id"), str)
        and isinstance(r.get("mahalla_code"), str)
        and iso_date(r.get("surveyed_on"))
        and r.get("category") in (None, 1, 2, 3, 4)
        and (r.get("monthly_income_uzs") is None or type(r["monthly_income_uzs"]) is int)
        and (r.get("plot_sotix") is None or isinstance(r["plot_sotix"], int | float))
        and set(r.get("needs", [])) <= NEEDS
        and isinstance(members, list)
        and all(
            m["sex"] in ("M", "F")
            and m["relation"] in RELATIONS
            and m["occupation"] in OCCUPATIONS
            and m["notebook"] in (None, "iron", "women", "youth")
            and (m["birth_date"] is None or iso_date(m["birth_date"]))
            for m in members
        )
    )


def tax_ok(r: dict[str, Any]) -> bool:
    return (
        bool(r.get("tin"))
        and r.get("regime") in ("self_employed", "individual_entrepreneur")
        and iso_date(r.get("registered_on"))
        and (r.get("birth_date") is None or iso_date(r["birth_date"]))
        and re.fullmatch(r"\d+\.\d{2}", str(r.get("declared_income_uzs"))) is not None
        and iso_datetime(r.get("updated_at"))
    )


def bank_ok(r: dict[str, Any]) -> bool:
    return (
        bool(r.get("loan_id"))
        and type(r.get("amount_tiyin")) is int
        and r.get("kind") in ("loan", "subsidy")
        and r.get("status") in ("active", "repaid", "overdue", "written_off")
        and iso_date(r.get("issued_on"))
    )


def appeal_ok(r: dict[str, Any]) -> bool:
    return (
        bool(r.get("appeal_id"))
        and iso_datetime(r.get("received_at"))
        and r.get("channel") in ("virtual_reception", "people_reception", "hotline", "assistant")
        and r.get("status") in ("received", "in_progress", "resolved", "rejected")
    )


def _employment(path: Path) -> Iterator[int]:
    text = path.read_bytes().decode("cp1251")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    for row_no, row in enumerate(rows[1:], start=1):
        ok = (
            len(row) == 10
            and bool(row[0])
            and (not row[3] or dotted_date(row[3]))
            and row[4] in ("М", "Ж")
            and row[6] in EMPLOYMENT_STATUSES
            and dotted_date(row[7])
            and (row[8] == "" or re.fullmatch(r"\d{9}", row[8]) is not None)
        )
        if not ok:
            yield row_no


def _assistants(path: Path) -> Iterator[int]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for row_no, row in enumerate(rows[1:], start=1):
        if not (len(row) == 5 and re.fullmatch(r"\d{10}", row[3]) and iso_date(row[4])):
            yield row_no


def _area(text: str | None) -> bool:
    return text is not None and re.fullmatch(r"\d+(,\d+)?", text) is not None


def _leases(path: Path) -> Iterator[int]:
    for row_no, lease in enumerate(ET.parse(path).getroot().iter("Lease"), start=1):
        parcel, term = lease.find("Parcel"), lease.find("Term")
        ok = (
            bool(lease.get("id"))
            and lease.get("status") in ("active", "terminated")
            and parcel is not None
            and _area(parcel.get("areaHa"))
            and parcel.get("purpose") in ("household_plot", "farming", "greenhouse", "orchard")
            and term is not None
            and iso_date(term.get("start"))
            and iso_date(term.get("end"))
        )
        if not ok:
            yield row_no


def unreadable_rows(world: Path) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()

    def add(path: Path, rows: Iterator[int]) -> None:
        relative = path.relative_to(world).as_posix()
        found.update((relative, row) for row in rows)

    add(world / "registry/assistants.csv", _assistants(world / "registry/assistants.csv"))
    for path in sorted((world / "survey").glob("survey_*.jsonl")):
        add(path, _jsonl(path, survey_ok))
    for path in sorted((world / "employment").glob("employment_*.csv")):
        add(path, _employment(path))
    for path in sorted((world / "land").glob("leases_*.xml")):
        add(path, _leases(path))
    for path in sorted((world / "appeals").glob("appeals_*.jsonl")):
        add(path, _jsonl(path, appeal_ok))
    add(world / "api/tax/taxpayers.jsonl", _jsonl(world / "api/tax/taxpayers.jsonl", tax_ok))
    add(world / "api/bank/loans.jsonl", _jsonl(world / "api/bank/loans.jsonl", bank_ok))
    return found
