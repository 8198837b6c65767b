"""A strict, stdlib-only reading of every delivered row against contracts/SOURCES.md.

`unreadable_rows(world)` returns the (file, row) of every row that breaks the contract, with
rows numbered as in truth/corrupt_rows.csv. Every field is checked: a field the contract
marks as nullable ("may be null", "may be empty", "or null") may be missing, every other one
must be present and well-formed. PINFL noise is not a breach: the contract allows missing,
malformed and mistyped PINFLs (only a person lessee's PINFL must be set).
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
PROGRAMS = {"family_entrepreneurship", "youth_notebook", "women_notebook", "iron_notebook",
            "microloan", "subsidy"}  # fmt: skip
TOPICS = {"electricity", "gas", "water", "roads", "employment", "housing", "land", "medical",
          "education", "social_aid", "other"}  # fmt: skip
CHANNELS = {"virtual_reception", "people_reception", "hotline", "assistant"}


def iso_date(text: object) -> bool:
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return isinstance(text, str) and len(text) == 10


def iso_datetime(text: object) -> bool:
    """An ISO 8601 date-time with its UTC offset (all local times are Asia/Tashkent)."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return False
    return isinstance(text, str) and moment.tzinfo is not None


def dotted_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%d.%m.%Y")
    except ValueError:
        return False
    return True


def text(value: object) -> bool:
    """A required text field: a non-blank string."""
    return isinstance(value, str) and value.strip() != ""


def text_or_null(value: object) -> bool:
    return value is None or isinstance(value, str)


def code(value: object, length: int) -> bool:
    return isinstance(value, str) and re.fullmatch(rf"\d{{{length}}}", value) is not None


def _jsonl(path: Path, check: Callable[[dict[str, Any]], bool]) -> Iterator[int]:
    # Line by line in bytes: a line cut inside a UTF-8 sequence is one bad row, not a bad file.
    for row, line in enumerate(path.read_bytes().split(b"\n")[:-1], start=1):
        try:
            record = json.loads(line)
        except ValueError:  # UnicodeDecodeError included
            yield row
            continue
        if not isinstance(record, dict) or not check(record):
            yield row


def _member_ok(m: object) -> bool:
    return (
        isinstance(m, dict)
        and type(m.get("member_no")) is int
        and text(m.get("full_name"))
        and text_or_null(m.get("pinfl"))
        and (m.get("birth_date") is None or iso_date(m["birth_date"]))
        and m.get("sex") in ("M", "F")
        and m.get("relation") in RELATIONS
        and m.get("occupation") in OCCUPATIONS
        and m.get("notebook", "absent") in (None, "iron", "women", "youth")
    )


def _address_ok(a: object) -> bool:
    return (
        isinstance(a, dict)
        and text(a.get("street"))
        and text(a.get("house"))
        and text_or_null(a.get("apartment"))
    )


def survey_ok(r: dict[str, Any]) -> bool:
    members, income = r.get("members"), r.get("monthly_income_uzs")
    return (
        text(r.get("survey_id"))
        and code(r.get("mahalla_code"), 10)
        and text(r.get("assistant_id"))
        and iso_date(r.get("surveyed_on"))
        and _address_ok(r.get("address"))
        and r.get("category", "absent") in (None, 1, 2, 3, 4)
        and (income is None or (type(income) is int and income >= 0))
        and (r.get("plot_sotix") is None or type(r["plot_sotix"]) in (int, float))
        and isinstance(r.get("needs"), list)
        and set(r["needs"]) <= NEEDS
        and isinstance(members, list)
        and len(members) > 0
        and all(_member_ok(m) for m in members)
        and len({m["member_no"] for m in members}) == len(members)
    )


def tax_ok(r: dict[str, Any]) -> bool:
    return (
        code(r.get("tin"), 9)
        and text_or_null(r.get("pinfl"))
        and text(r.get("full_name"))
        and r["full_name"] == r["full_name"].upper()
        and r["full_name"].isascii()
        and (r.get("birth_date") is None or iso_date(r["birth_date"]))
        and r.get("regime") in ("self_employed", "individual_entrepreneur")
        and text(r.get("activity_code"))
        and iso_date(r.get("registered_on"))
        and (r.get("closed_on") is None or iso_date(r["closed_on"]))
        and re.fullmatch(r"\d+\.\d{2}", str(r.get("declared_income_uzs"))) is not None
        and type(r.get("tax_year")) is int
        and (r.get("mahalla_code") is None or code(r["mahalla_code"], 10))
        and text(r.get("address"))
        and iso_datetime(r.get("updated_at"))
    )


def _borrower_ok(b: object) -> bool:
    return (
        isinstance(b, dict)
        and text_or_null(b.get("pinfl"))
        and text(b.get("name"))
        and (b.get("birth_date") is None or dotted_date(str(b["birth_date"])))
        and text_or_null(b.get("passport"))
    )


def bank_ok(r: dict[str, Any]) -> bool:
    return (
        text(r.get("loan_id"))
        and code(r.get("bank_mfo"), 5)
        and r.get("kind") in ("loan", "subsidy")
        and r.get("program") in PROGRAMS
        and _borrower_ok(r.get("borrower"))
        and type(r.get("amount_tiyin")) is int
        and iso_date(r.get("issued_on"))
        and type(r.get("term_months")) is int
        and r.get("status") in ("active", "repaid", "overdue", "written_off")
        and text(r.get("purpose"))
        and (r.get("mahalla_code") is None or code(r["mahalla_code"], 10))
    )


def appeal_ok(r: dict[str, Any]) -> bool:
    applicant, closed = r.get("applicant"), r.get("status") in ("resolved", "rejected")
    return (
        text(r.get("appeal_id"))
        and iso_datetime(r.get("received_at"))
        and r.get("channel") in CHANNELS
        and code(r.get("mahalla_code"), 10)
        and isinstance(applicant, dict)
        and all(text_or_null(applicant.get(f)) for f in ("pinfl", "full_name", "phone"))
        and r.get("topic") in TOPICS
        and text(r.get("addressed_to"))
        and r.get("status") in ("received", "in_progress", "resolved", "rejected")
        and (iso_datetime(r.get("resolved_at")) if closed else r.get("resolved_at", 0) is None)
    )


def _employment_ok(row: list[str]) -> bool:
    return (
        len(row) == 10
        and text(row[0])
        and text(row[2])
        and dotted_date(row[3])
        and row[4] in ("М", "Ж")
        and (row[5] == "" or code(row[5], 10))
        and row[6] in EMPLOYMENT_STATUSES
        and dotted_date(row[7])
        and (code(row[8], 9) if row[6] == "трудоустроен" else row[8] == "")
    )


def _employment(path: Path) -> Iterator[int]:
    content = path.read_bytes().decode("cp1251")
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    for row_no, row in enumerate(rows[1:], start=1):
        if not _employment_ok(row):
            yield row_no


def _csv(path: Path, check: Callable[[list[str]], bool]) -> Iterator[int]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for row_no, row in enumerate(rows[1:], start=1):
        if not check(row):
            yield row_no


def _mahalla_ok(row: list[str]) -> bool:
    return (
        len(row) == 7
        and code(row[0], 4)
        and text(row[1])
        and code(row[2], 7)
        and row[2].startswith(row[0])
        and code(row[4], 10)
        and row[4].startswith(row[2])
        and all(text(value) for value in (row[3], row[5]))
        and code(row[6], 9)
    )


def _assistant_ok(row: list[str]) -> bool:
    return (
        len(row) == 5
        and all(text(value) for value in row[:3])
        and code(row[3], 10)
        and iso_date(row[4])
    )


def _lessee_ok(lessee: ET.Element | None) -> bool:
    if lessee is None or not text(lessee.get("name")):
        return False
    pinfl, tin = lessee.get("pinfl"), lessee.get("tin")
    if lessee.get("kind") == "person":
        return text(pinfl)
    return lessee.get("kind") == "legal_entity" and pinfl == "" and code(tin, 9)


def _lease_ok(lease: ET.Element) -> bool:
    parcel, term = lease.find("Parcel"), lease.find("Term")
    return (
        text(lease.get("id"))
        and text(lease.get("contract"))
        and lease.get("status") in ("active", "terminated")
        and parcel is not None
        and text(parcel.get("cadastre"))
        and code(parcel.get("mahalla"), 10)
        and re.fullmatch(r"\d+(,\d+)?", parcel.get("areaHa", "")) is not None
        and parcel.get("purpose") in ("household_plot", "farming", "greenhouse", "orchard")
        and parcel.get("crop") is not None
        and _lessee_ok(lease.find("Lessee"))
        and term is not None
        and iso_date(term.get("start"))
        and iso_date(term.get("end"))
    )


def _leases(path: Path) -> Iterator[int]:
    for row_no, lease in enumerate(ET.parse(path).getroot().iter("Lease"), start=1):
        if not _lease_ok(lease):
            yield row_no


def unreadable_rows(world: Path) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()

    def add(path: Path, rows: Iterator[int]) -> None:
        relative = path.relative_to(world).as_posix()
        found.update((relative, row) for row in rows)

    add(world / "registry/mahallas.csv", _csv(world / "registry/mahallas.csv", _mahalla_ok))
    add(world / "registry/assistants.csv", _csv(world / "registry/assistants.csv", _assistant_ok))
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
