"""Ground truth: it covers every delivered record key, and the people in it are plausible."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from hub.identity.pinfl import ParsedPinfl, parse_pinfl, pinfl_check_digit, pinfl_disagreements
from sandbox.generate.pinfl import check_digits


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def _delivered_keys(world: Path) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for row in _rows(world / "registry/mahallas.csv"):
        keys["registry"].add(row["mahalla_code"])
    with (world / "registry/assistants.csv").open(encoding="utf-8", newline="") as f:
        keys["registry"].update(row[0] for row in list(csv.reader(f))[1:])
    for path in (world / "survey").glob("*.jsonl"):
        for record in _jsonl(path):
            if "survey_id" in record:
                keys["survey"].add(record["survey_id"])
                for member in record.get("members", []):
                    keys["survey"].add(f"{record['survey_id']}/{member['member_no']}")
    for path in (world / "employment").glob("*.csv"):
        rows = csv.reader(path.read_bytes().decode("cp1251").splitlines(), delimiter=";")
        keys["employment"].update(row[0] for row in list(rows)[1:] if row[0])
    for path in (world / "land").glob("*.xml"):
        keys["land"].update(lease.get("id", "") for lease in ET.parse(path).getroot().iter("Lease"))
    for path in (world / "appeals").glob("*.jsonl"):
        keys["appeals"].update(r["appeal_id"] for r in _jsonl(path) if "appeal_id" in r)
    keys["tax"] = {r["tin"] for r in _jsonl(world / "api/tax/taxpayers.jsonl") if "tin" in r}
    keys["bank"] = {r["loan_id"] for r in _jsonl(world / "api/bank/loans.jsonl") if "loan_id" in r}
    return keys


def test_truth_names_the_owner_of_every_delivered_record_key(noisy_world: Path) -> None:
    truth: dict[str, set[str]] = defaultdict(set)
    for row in _rows(noisy_world / "truth/records.csv"):
        truth[row["source"]].add(row["record_key"])
        if row["entity"] == "person":
            assert row["person_id"]
            assert row["household_id"]
    corrupt = {
        (r["source"], r["record_key"]) for r in _rows(noisy_world / "truth/corrupt_rows.csv")
    }
    for source, keys in _delivered_keys(noisy_world).items():
        assert keys <= truth[source], source
        missing = {
            key for key in truth[source] - keys if (source, key.split("/")[0]) not in corrupt
        }
        assert not missing, (source, sorted(missing)[:5])


def test_truth_pinfls_are_valid_and_agree_with_birth_date_and_sex(world: Path) -> None:
    persons = _rows(world / "truth/persons.csv")
    assert len({p["pinfl"] for p in persons}) == len(persons)
    for person in persons:
        parsed = parse_pinfl(person["pinfl"])
        assert isinstance(parsed, ParsedPinfl), parsed
        birth_on = date.fromisoformat(person["birth_on"])
        assert not pinfl_disagreements(parsed, birth_on=birth_on, sex=person["sex"])


def test_bulk_check_digits_agree_with_hub_identity() -> None:
    rng = np.random.default_rng(5)
    prefixes = rng.integers(3 * 10**12, 7 * 10**12, 5000, dtype=np.int64)
    ours = check_digits(prefixes).tolist()
    assert ours == [pinfl_check_digit(str(prefix)) for prefix in prefixes.tolist()]


def test_households_have_one_head_shared_surnames_and_the_fathers_patronymic(world: Path) -> None:
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for person in _rows(world / "truth/persons.csv"):
        members[person["household_id"]].append(person)
    for household in members.values():
        assert 2 <= len(household) <= 8
        heads = [p for p in household if p["relation"] == "head"]
        assert len(heads) == 1
        head = heads[0]
        root = head["surname"].removesuffix("a")
        for person in household:
            if person["relation"] in ("child", "grandchild", "parent"):
                expected = root + ("a" if person["sex"] == "F" else "")
                assert person["surname"] == expected
            if person["relation"] == "child" and head["sex"] == "M":
                assert person["patronymic"].split()[0] == head["given_name"]
            if person["relation"] == "child":
                assert int(head["birth_on"][:4]) < int(person["birth_on"][:4])
            if person["occupation"] == "child":
                assert person["birth_on"] > "2014-12-31"


def test_survey_pinfl_noise_rates_are_near_their_settings(noisy_world: Path) -> None:
    true_pinfl = {
        (row["record_key"]): row["person_id"]
        for row in _rows(noisy_world / "truth/records.csv")
        if row["source"] == "survey" and row["entity"] == "person"
    }
    by_person = {p["person_id"]: p["pinfl"] for p in _rows(noisy_world / "truth/persons.csv")}
    counts = {"missing": 0, "invalid": 0, "other_person": 0, "total": 0}
    for record in _jsonl(noisy_world / "survey/survey_2022-01.jsonl"):
        for member in record.get("members", []):
            key = f"{record['survey_id']}/{member['member_no']}"
            counts["total"] += 1
            delivered, true = member["pinfl"], by_person[true_pinfl[key]]
            if delivered is None:
                counts["missing"] += 1
            elif not isinstance(parse_pinfl(delivered), ParsedPinfl):
                counts["invalid"] += 1
            elif delivered != true:
                counts["other_person"] += 1
    total = counts["total"]
    assert 0.12 < counts["missing"] / total < 0.18  # high preset: 0.15
    assert 0.03 < counts["invalid"] / total < 0.06  # 0.05 typos, most fail the check digit
    assert 0.01 < counts["other_person"] / total < 0.04  # 0.02 relatives + valid-looking typos


def test_about_eight_percent_of_adults_are_taxpayers(world: Path) -> None:
    manifest = json.loads((world / "world.json").read_text())
    persons = _rows(world / "truth/persons.csv")
    adults = sum(1 for p in persons if p["birth_on"] <= "2003-12-31")
    assert 0.05 < manifest["records"]["tax"] / adults < 0.11
