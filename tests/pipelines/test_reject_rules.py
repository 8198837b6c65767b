"""Every quarantine entry names the rule its record broke (issue 17, item 4): a contract
violation found by a connector is `enum:<field>`, `date:<field>`, `required:<field>`, ...,
an unreadable row `encoding`, `columns`, `csv`, `json`; the reason stays the sentence an
engineer reads. The API's quarantine counts group by these rules, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from connectors.employment import HEADER
from hub.api.app import create_app
from hub.config import HubSettings
from pipelines.resources import FolderAgency, HubDatabase
from pipelines.steps.land import land_files
from tests.api_keys import key_headers
from tests.pipelines.record_deliveries import (
    OnePageAgency,
    api_body,
    appeal,
    employment_file,
    employment_row,
    registered_hub,
    rejects_of,
    run_api,
    run_files,
    taxpayer,
)


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    return registered_hub(graph_db.url, tmp_path)


def _rules(hub: HubDatabase, source: str) -> dict[str, str]:
    return {r.origin or "": r.rule for r in rejects_of(hub, source)}


def test_a_csv_row_s_reject_names_its_broken_rule(hub: HubDatabase, tmp_path: Path) -> None:
    lines = [
        ";".join(HEADER).encode("cp1251"),
        employment_row(1).encode("cp1251"),
        employment_row(2, Статус="пенсионер").encode("cp1251"),
        employment_row(3, **{"Дата рождения": "31.02.1985"}).encode("cp1251"),
        employment_row(4, ФИО="").encode("cp1251"),
        "E2022-0000005;;Абдуллаев".encode("cp1251"),
        employment_row(6).encode("utf-8"),
    ]
    folder = tmp_path / "employment"
    folder.mkdir()
    (folder / "employment_2022-02.csv").write_bytes(b"".join(line + b"\r\n" for line in lines))
    run_files(hub, "employment", folder)

    assert _rules(hub, "employment") == {
        "employment_2022-02.csv:3": "enum:Статус",
        "employment_2022-02.csv:4": "date:Дата рождения",
        "employment_2022-02.csv:5": "required:ФИО",
        "employment_2022-02.csv:6": "columns",
        "employment_2022-02.csv:7": "encoding",
    }
    reasons = {r.rule: r.reasons[0] for r in rejects_of(hub, "employment")}
    assert "'пенсионер' is not one of the allowed values" in reasons["enum:Статус"]


def test_a_json_line_s_reject_names_its_broken_rule(hub: HubDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "appeals"
    folder.mkdir()
    items = [
        appeal(1),
        appeal(2, channel="pigeon"),
        appeal(3, received_at="03.07.2022"),
        appeal(4, topic=None),
    ]
    body = b"".join(json.dumps(item).encode() + b"\n" for item in items)
    body += b'{"appeal_id": "AP-2022-0000005", \n' + b"[1, 2]\n"
    (folder / "appeals_2022-07.jsonl").write_bytes(body)
    run_files(hub, "appeals", folder)

    assert _rules(hub, "appeals") == {
        "appeals_2022-07.jsonl:2": "enum:channel",
        "appeals_2022-07.jsonl:3": "date:received_at",
        "appeals_2022-07.jsonl:4": "required:topic",
        "appeals_2022-07.jsonl:5": "json",
        "appeals_2022-07.jsonl:6": "json_object",
    }


def test_the_api_s_quarantine_counts_group_by_rule(
    hub: HubDatabase,
    graph_db,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    items = [taxpayer(1), taxpayer(2, full_name=None), taxpayer(3, birth_date="15.03.1985")]
    items += [taxpayer(4, full_name="  "), taxpayer(5, regime="shadow")]
    run_api(hub, OnePageAgency("tax", api_body("tax", items)))

    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    with TestClient(create_app(settings), headers=key_headers(settings)) as client:
        answer = client.post(
            "/graphql",
            json={
                "query": '{ quarantine(filter: {source: "tax"}) { counts { source rule count } } }'
            },
        ).json()
    counts = answer["data"]["quarantine"]["counts"]
    assert counts == [
        {"source": "tax", "rule": "date:birth_date", "count": 1},
        {"source": "tax", "rule": "enum:regime", "count": 1},
        {"source": "tax", "rule": "required:full_name", "count": 2},
    ]


def test_the_raw_asset_reports_its_rejects_by_rule(hub: HubDatabase, tmp_path: Path) -> None:
    rows = [
        employment_row(1),
        employment_row(2, Статус="пенсионер"),
        employment_row(3, Статус="студент"),
        "E2022-0000004;;Абдуллаев",
    ]
    folder = employment_file(tmp_path / "employment", rows)

    report = land_files(hub, FolderAgency(folder=str(folder), settle_seconds=0), "employment", None)

    assert report.rejected_by_rule == {"enum:Статус": 2, "columns": 1}
