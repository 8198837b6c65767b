"""Deliveries match contracts/SOURCES.md byte for byte in structure, read with the stdlib only."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from sandbox.generate.sources.employment import HEADER as EMPLOYMENT_HEADER


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_registry_codes_nest_and_each_mahalla_has_a_current_assistant(world: Path) -> None:
    mahallas = _csv_rows(world / "registry/mahallas.csv")
    assert list(mahallas[0]) == [
        "region_soato", "region_name", "district_soato", "district_name", "mahalla_code",
        "mahalla_name", "mahalla_stir",
    ]  # fmt: skip
    codes = {row["mahalla_code"] for row in mahallas}
    assert len(codes) == len(mahallas)
    for row in mahallas:
        assert re.fullmatch(r"17\d{2}", row["region_soato"])
        assert row["district_soato"].startswith(row["region_soato"] + "2")
        assert re.fullmatch(r"\d{10}", row["mahalla_code"])
        assert row["mahalla_code"].startswith(row["district_soato"])
        assert re.fullmatch(r"2\d{8}", row["mahalla_stir"])
        assert row["mahalla_name"].endswith(" MFY")
    appointments = defaultdict(list)
    for row in _csv_rows(world / "registry/assistants.csv"):
        if row["mahalla_code"]:
            assert row["mahalla_code"] in codes
            assert re.fullmatch(r"\+998\d{9}", row["phone"])
            appointments[row["mahalla_code"]].append(row["appointed_on"])
    assert any(len(dates) == 2 for dates in appointments.values())


def test_employment_files_are_windows_1251_crlf_with_the_russian_header(world: Path) -> None:
    files = sorted((world / "employment").glob("employment_2022-*.csv"))
    assert len(files) == 6
    seen_status: dict[str, set[str]] = defaultdict(set)
    question_marks = []
    for path in files:
        raw = path.read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n") > 1
        text = raw.decode("cp1251")
        header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        assert tuple(header) == EMPLOYMENT_HEADER
        assert not set("ўқғҳЎҚҒҲ") & set(text)
        question_marks.append("?" in text)
        for row in rows:
            if len(row) == 10 and row[6]:
                seen_status[row[0]].add(row[6])
                assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", row[7])
    assert question_marks[:2] == [True, True]
    assert not any(question_marks[2:])
    assert sum(1 for statuses in seen_status.values() if len(statuses) > 1) > 10


def test_survey_lines_are_households_and_a_later_file_resurveys_some(world: Path) -> None:
    ids_by_file = {}
    apostrophes = set()
    for path in sorted((world / "survey").glob("survey_*.jsonl")):
        ids = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            ids.append(record.get("survey_id"))
            for member in record.get("members", []):
                apostrophes.update(set(member["full_name"]) & set("‘’ʻ'`"))
                assert 2 <= len(record["members"]) <= 8
        ids_by_file[path.name] = set(ids)
    later = ids_by_file.pop("survey_2022-09.jsonl")
    earlier = set().union(*ids_by_file.values())
    assert later
    assert later <= earlier
    assert apostrophes == set("‘’ʻ'`")


def test_land_snapshots_use_decimal_commas_and_the_newer_drops_and_changes_leases(
    world: Path,
) -> None:
    snapshots = []
    for path in sorted((world / "land").glob("leases_*.xml")):
        assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        leases = {}
        for lease in ET.parse(path).getroot().iter("Lease"):
            parcel, lessee = lease.find("Parcel"), lease.find("Lessee")
            assert lessee is not None
            if lessee.get("kind") == "legal_entity":
                assert lessee.get("pinfl") == ""
                assert re.fullmatch(r"2\d{8}", lessee.get("tin", ""))
            else:
                assert lessee.get("tin") == ""
                assert lessee.get("pinfl")
            if parcel is not None and re.fullmatch(r"\d+,\d{2}", parcel.get("areaHa", "")):
                leases[lease.get("id")] = (lease.get("status"), parcel.get("areaHa"))
        snapshots.append(leases)
    older, newer = snapshots
    assert set(older) - set(newer), "the newer snapshot drops some leases"
    assert set(newer) - set(older), "the newer snapshot adds leases"
    assert any(newer[key] != value for key, value in older.items() if key in newer)


def test_tax_items_have_versions_and_decimal_string_incomes(world: Path) -> None:
    items = [
        json.loads(line) for line in (world / "api/tax/taxpayers.jsonl").read_text().splitlines()
    ]
    tins = [item.get("tin") for item in items]
    assert len(set(tins)) < len(tins)
    for item in items:
        assert item["full_name"] == item["full_name"].upper()
        assert item["full_name"].isascii()
        assert item["updated_at"].endswith("+05:00")


def test_bank_items_have_unique_loan_ids_and_initials(world: Path) -> None:
    items = [json.loads(line) for line in (world / "api/bank/loans.jsonl").read_text().splitlines()]
    ids = [item["loan_id"] for item in items if "loan_id" in item]
    assert len(ids) == len(set(ids))
    for item in items:
        assert re.fullmatch(r"[A-Z]+ [A-Z]\.[A-Z]\.", item["borrower"]["name"])
        birth = item["borrower"]["birth_date"]
        assert birth is None or re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", birth)


def test_appeals_are_redelivered_with_a_changed_status(world: Path) -> None:
    statuses: dict[str, list[str]] = defaultdict(list)
    for path in sorted((world / "appeals").glob("appeals_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if "appeal_id" in record and "status" in record:
                statuses[record["appeal_id"]].append(record["status"])
                if record["status"] in ("received", "in_progress"):
                    assert record["resolved_at"] is None
    redelivered = [s for s in statuses.values() if len(s) > 1]
    assert redelivered
    assert all(s[0] == "in_progress" and s[-1] in ("resolved", "rejected") for s in redelivered)
