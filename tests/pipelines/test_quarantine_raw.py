"""The quarantine keeps a capped raw text, and the API never returns more (issue 14, item 9):
a long raw text is kept as its beginning, its full length and its SHA-256, on both backends,
whichever stage wrote it; a row written before texts were capped is cut when served."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
from sqlalchemy import select
from starlette.testclient import TestClient

from connectors.outcomes import Reject as ConnectorReject
from hub.api.app import create_app
from hub.config import HubSettings
from hub.graph.models import Reject
from pipelines.quarantine import quarantine_rule_breaks, quarantine_unreadable
from pipelines.staging.rules import REJECT_SCHEMA
from tests.api_callers import as_engineer

LONG = "Navoiy ko‘chasi " * 20_000


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_unreadable_and_rule_breaking_records_keep_a_capped_raw_text(graph_db) -> None:  # type: ignore[no-untyped-def]
    unreadable = ConnectorReject(
        "survey", "SV-1", LONG, "line 1 is too long", "survey_1.jsonl:1", "line_too_long"
    )
    broken = pl.DataFrame(
        {
            "record_key": ["SV-2"],
            "origin": ["survey_1.jsonl:2"],
            "rule": ["street_too_long"],
            "reasons": [["street is too long"]],
            "raw": [LONG + "!"],
        },
        schema=REJECT_SCHEMA,
    )
    with graph_db.session() as session, session.begin():
        quarantine_unreadable(session, None, [unreadable], raw_chars=500)  # type: ignore[arg-type]
        quarantine_rule_breaks(session, "survey", None, broken, raw_chars=500)  # type: ignore[arg-type]

    with graph_db.session() as session:
        kept = {key: raw for key, raw in session.execute(select(Reject.record_key, Reject.raw))}
    assert len(kept["SV-1"]) <= 500 and len(kept["SV-2"]) <= 500
    assert kept["SV-1"].startswith("Navoiy ko‘chasi Navoiy")
    assert kept["SV-1"].endswith(f"{len(LONG):,} characters in all, sha256 {_sha256(LONG)}]")
    assert kept["SV-2"].endswith(
        f"{len(LONG) + 1:,} characters in all, sha256 {_sha256(LONG + '!')}]"
    )


def test_short_raw_texts_are_kept_whole(graph_db) -> None:  # type: ignore[no-untyped-def]
    reject = ConnectorReject("tax", "1", '{"tin": "1"}', "bad", "page 1", "type:item")
    with graph_db.session() as session, session.begin():
        quarantine_unreadable(session, None, [reject], raw_chars=500)  # type: ignore[arg-type]
    with graph_db.session() as session:
        assert session.scalar(select(Reject.raw)) == '{"tin": "1"}'


def test_the_api_never_returns_more_than_the_cap_of_a_raw_text(graph_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with graph_db.session() as session, session.begin():
        # Written directly, as rows were before the quarantine capped raw texts.
        session.add(
            Reject(source="land", stage="connect", rule="unreadable", reasons=["x"], raw=LONG)
        )
    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    with TestClient(create_app(settings, authenticator=as_engineer)) as client:
        answer = client.post(
            "/graphql", json={"query": "{ quarantine { records { edges { node { raw } } } } }"}
        ).json()
    (edge,) = answer["data"]["quarantine"]["records"]["edges"]
    raw = edge["node"]["raw"]
    assert len(raw) <= 4000
    assert raw.startswith("Navoiy") and raw.endswith(f"[cut: {len(LONG):,} characters in all]")
