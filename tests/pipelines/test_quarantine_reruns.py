"""The quarantine does not grow on reruns (issue 17, item 2): a record rejected again for the
same rule with the same raw content is the same entry, its `seen_count`, `last_seen_at` and
last delivery updated, for every writer; each delivery still counts its rejects
(delivered = accepted + rejected); a resolved entry rejected again reopens. On SQLite and
PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from connectors.outcomes import Reject as ConnectorReject
from hub.api.app import create_app
from hub.config import HubSettings
from hub.graph.models import Reject
from pipelines.quarantine import quarantine_unreadable, quarantine_unreadable_file
from pipelines.resources import HubDatabase
from tests.api_keys import key_headers
from tests.pipelines.record_deliveries import (
    OnePageAgency,
    api_body,
    deliveries_of,
    employment_file,
    employment_row,
    household,
    jsonl_file,
    loan,
    registered_hub,
    rejects_of,
    run_api,
    run_files,
)


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    return registered_hub(graph_db.url, tmp_path)


def _bank_look_back() -> OnePageAgency:
    items = [loan(1), loan(2, amount_tiyin=-5), loan(3, kind="gift"), loan(4)]
    return OnePageAgency("bank", api_body("bank", items))


def test_a_rerun_reading_the_same_bad_records_updates_their_entries(
    hub: HubDatabase,
    graph_db,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    for _ in range(3):
        run_api(hub, _bank_look_back())

    entries = rejects_of(hub, "bank")
    assert sorted((r.rule, r.seen_count, r.status) for r in entries) == [
        ("enum:kind", 3, "open"),
        ("range:amount_tiyin", 3, "open"),
    ]
    runs = deliveries_of(hub, "bank")
    assert [(d.delivered, d.accepted, d.rejected) for d in runs] == [(4, 2, 2)] * 3
    assert {r.delivery_id for r in entries} == {max(d.id for d in runs)}
    assert all(r.last_seen_at > r.created_at for r in entries)

    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    query = "{ quarantine { records { edges { node { rule seenCount lastSeenAt } } } } }"
    with TestClient(create_app(settings), headers=key_headers(settings)) as client:
        answer = client.post("/graphql", json={"query": query}).json()
    nodes = [e["node"] for e in answer["data"]["quarantine"]["records"]["edges"]]
    assert sorted(n["seenCount"] for n in nodes) == [3, 3]


def test_the_same_bad_row_in_a_later_file_is_the_same_entry(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "employment"
    bad = employment_row(2, Статус="пенсионер")
    employment_file(folder, [employment_row(1), bad], "employment_2022-02.csv")
    run_files(hub, "employment", folder)
    employment_file(folder, [employment_row(3), bad], "employment_2022-03.csv")
    run_files(hub, "employment", folder)

    (entry,) = rejects_of(hub, "employment")
    assert (entry.rule, entry.seen_count) == ("enum:Статус", 2)
    assert entry.origin == "employment_2022-03.csv:3"
    assert [d.rejected for d in deliveries_of(hub, "employment")] == [1, 1]


def test_a_changed_raw_text_is_a_new_entry(hub: HubDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "employment"
    employment_file(folder, [employment_row(2, Статус="пенсионер")], "employment_2022-02.csv")
    run_files(hub, "employment", folder)
    employment_file(folder, [employment_row(2, Статус="студент")], "employment_2022-03.csv")
    run_files(hub, "employment", folder)

    assert [(r.seen_count, r.status) for r in rejects_of(hub, "employment")] == [
        (1, "open"),
        (1, "open"),
    ]


def test_a_resolved_entry_rejected_again_reopens(hub: HubDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "employment"
    bad = employment_row(2, Статус="пенсионер")
    employment_file(folder, [bad], "employment_2022-02.csv")
    run_files(hub, "employment", folder)
    employment_file(folder, [employment_row(2)], "employment_2022-03.csv")
    run_files(hub, "employment", folder)
    assert [r.status for r in rejects_of(hub, "employment")] == ["resolved"]

    employment_file(folder, [bad], "employment_2022-04.csv")
    run_files(hub, "employment", folder)

    (entry,) = rejects_of(hub, "employment")
    assert (entry.status, entry.seen_count, entry.resolved_at) == ("open", 2, None)


def test_staging_s_rule_breaks_are_kept_once(hub: HubDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "survey"
    old = household(1, surveyed_on="1800-01-14")
    jsonl_file(folder, "survey_2022-01.jsonl", [household(2), old])
    run_files(hub, "survey", folder)
    jsonl_file(folder, "survey_2022-02.jsonl", [household(3), old])
    run_files(hub, "survey", folder)

    households = [r for r in rejects_of(hub, "survey") if "/" not in (r.record_key or "")]
    assert [(r.stage, r.seen_count) for r in households] == [("stage", 2)]
    # Each file: two households with one member each; the old household and its member.
    assert [(d.delivered, d.rejected) for d in deliveries_of(hub, "survey")] == [(4, 2)] * 2


def test_an_unreadable_file_seen_again_is_one_entry(graph_db) -> None:  # type: ignore[no-untyped-def]
    with graph_db.session() as session, session.begin():
        for _ in range(2):
            quarantine_unreadable_file(
                session,
                "employment",
                None,
                "employment_2022-02.csv",
                "the file, 10 bytes",
                "no header",
            )
    with graph_db.session() as session:
        assert session.execute(select(Reject.rule, Reject.seen_count)).all() == [
            ("unreadable_file", 2)
        ]


def test_long_texts_that_differ_only_beyond_the_cap_stay_apart(graph_db) -> None:  # type: ignore[no-untyped-def]
    head = "Navoiy ko‘chasi " * 100
    rejects = [
        ConnectorReject("survey", "SV-1", head + tail, "too long", "s.jsonl:1", "line_too_long")
        for tail in ("A", "B", "A")
    ]
    with graph_db.session() as session, session.begin():
        assert quarantine_unreadable(session, None, rejects, raw_chars=200) == 3  # type: ignore[arg-type]
    with graph_db.session() as session:
        counts = sorted(session.scalars(select(Reject.seen_count)))
    assert counts == [1, 2]
