"""An earlier file that arrives after a later one never overwrites it (SOURCES.md: for
survey, employment and appeals, later files by name win for the same record key).

Files arrive out of order in real folders: an agency re-sends last month's file, or a file
held up in transit lands after the next one. The later file's version of a record stays,
and so does its person mention (the source record linkage compares), its household
members and its open rejects; the earlier file's rows are counted as superseded, not lost
silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.graph.models import (
    Appeal,
    EmploymentRecord,
    Household,
    HouseholdMember,
    Person,
    Reject,
    SourceRecord,
)
from pipelines.resources import HubDatabase
from tests.pipelines.agency_files import (
    MAHALLA,
    employment_file,
    employment_row,
    run_folder,
    write_registry,
)


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(tmp_path / "landing"))
    write_registry(tmp_path / "registry")
    run_folder(hub, tmp_path / "registry", "registry")
    return hub


def _appeal(status: str, name: str) -> dict[str, object]:
    return {
        "appeal_id": "AP-2022-0000001",
        "received_at": "2022-07-03T09:15:00+05:00",
        "channel": "hotline",
        "mahalla_code": MAHALLA,
        "applicant": {"pinfl": None, "full_name": name, "phone": "+998901234567"},
        "topic": "water",
        "addressed_to": "district_khokimiyat",
        "status": status,
        "resolved_at": "2022-07-10T16:00:00+05:00" if status == "resolved" else None,
    }


def _write_lines(path: Path, items: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")


def _household(members: list[tuple[int, str, str]], income: int) -> dict[str, object]:
    return {
        "survey_id": "SV-1703202015-00001",
        "mahalla_code": MAHALLA,
        "assistant_id": "A-00001",
        "surveyed_on": "2022-01-14",
        "address": {"street": "Navoiy ko‘chasi", "house": "12", "apartment": None},
        "category": 3,
        "monthly_income_uzs": income,
        "plot_sotix": None,
        "needs": [],
        "members": [
            {
                "member_no": no,
                "full_name": name,
                "pinfl": None,
                "birth_date": born,
                "sex": "M",
                "relation": "head" if no == 1 else "child",
                "occupation": "unemployed",
                "notebook": None,
            }
            for no, name, born in members
        ],
    }


def test_an_earlier_appeals_file_arriving_late_leaves_the_later_version(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "appeals"
    folder.mkdir()
    _write_lines(folder / "appeals_2022-08.jsonl", [_appeal("resolved", "Karimova Dilnoza")])
    run_folder(hub, folder, "appeals")
    _write_lines(folder / "appeals_2022-07.jsonl", [_appeal("received", "Karimov Botir")])
    report = run_folder(hub, folder, "appeals").loaded

    assert report.superseded == 1
    with hub.session() as session:
        (appeal,) = session.scalars(select(Appeal)).all()
        (mention,) = session.scalars(
            select(SourceRecord).where(SourceRecord.source == "appeals")
        ).all()
    assert appeal.status == "resolved"
    assert mention.full_name == "Karimova Dilnoza"


def test_an_earlier_survey_file_arriving_late_leaves_the_later_household(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "survey"
    folder.mkdir()
    later = _household([(1, "Aliyev Akmal Baxtiyor o‘g‘li", "1985-03-15")], income=3_000_000)
    _write_lines(folder / "survey_2022-02.jsonl", [later])
    run_folder(hub, folder, "survey")
    earlier = _household(
        [(1, "Aliyev Akmal Baxtiyor o‘g‘li", "1985-03-15"), (2, "Aliyev Sardor", "2010-01-01")],
        income=1_000_000,
    )
    _write_lines(folder / "survey_2022-01.jsonl", [earlier])
    report = run_folder(hub, folder, "survey").loaded

    assert report.superseded == 3  # the household and its two members
    with hub.session() as session:
        (household,) = session.scalars(select(Household)).all()
        members = session.scalars(select(HouseholdMember)).all()
        names = session.scalars(select(Person.full_name)).all()
    assert household.monthly_income_uzs == 3_000_000
    assert len(members) == 1
    assert len(names) == 1 and names[0].startswith("Aliyev Akmal")


def test_an_earlier_employment_file_neither_rewrites_the_mention_nor_closes_a_later_reject(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "employment"
    folder.mkdir()
    good_later = employment_row(1, status="самозанятый").replace("Иванов Иван 1", "Петров Пётр")
    bad_later = employment_row(2, status="в космосе")  # an unknown status: rejected
    (folder / "employment_2022-02.csv").write_bytes(employment_file([good_later, bad_later]))
    run_folder(hub, folder, "employment")
    (folder / "employment_2022-01.csv").write_bytes(
        employment_file([employment_row(1), employment_row(2)])
    )
    report = run_folder(hub, folder, "employment").loaded

    assert report.superseded == 1  # record 1; record 2 is new to the graph and loads
    with hub.session() as session:
        records = {r.record_no: r for r in session.scalars(select(EmploymentRecord))}
        mention = session.scalar(
            select(SourceRecord).where(SourceRecord.record_key == "E2022-0000001")
        )
        open_rejects = session.scalars(
            select(Reject.record_key).where(Reject.source == "employment", Reject.status == "open")
        ).all()
    assert records["E2022-0000001"].status == "self_employed"
    assert mention is not None and mention.full_name == "Петров Пётр"
    assert records["E2022-0000002"].source_file == "employment_2022-01.csv"
    # The later file's version of record 2 is still the one that failed: its reject stays.
    assert open_rejects == ["E2022-0000002"]
