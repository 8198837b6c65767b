"""The quarterly rating of state bodies, against figures worked out by hand (Q3 2022;
Tashkent is UTC+5; overdue after 15 days; ranked from 2 appeals in the quarter)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import select

from hub.diagnostics.ratings_bodies import NO_ADDRESSEE, refresh_body_ratings
from hub.diagnostics.rules import RuleBook, load_rules
from hub.graph.bulk import upsert_rows
from hub.graph.models import Appeal, BodyRating

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

Q2, Q3 = date(2022, 4, 1), date(2022, 7, 1)


def _at(day: str, hour: int = 4) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _appeal(key: str, body: str | None, received: datetime, status: str,
            closed: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "appeal_id": key,
        "received_at": received,
        "channel": "hotline",
        "mahalla_code": None,
        "topic": "gas",
        "addressed_to": body,
        "status": status,
        "resolved_at": closed,
    }


APPEALS = [
    _appeal("A1", "khokimiyat", _at("2022-07-01"), "resolved", _at("2022-07-03")),  # 2 days
    _appeal("A2", "khokimiyat", _at("2022-07-10"), "resolved", _at("2022-07-20")),  # 10 days
    _appeal("A3", "khokimiyat", _at("2022-08-01"), "rejected", _at("2022-08-05")),
    _appeal("B1", "gas", _at("2022-07-05"), "resolved", _at("2022-07-06")),  # 1 day
    _appeal("B2", "gas", _at("2022-09-01"), "received"),  # open 29 days at 30 Sep: overdue
    _appeal("B3", "gas", _at("2022-09-25"), "in_progress"),  # open 5 days: not overdue
    _appeal("B4", "gas", _at("2022-06-20"), "resolved", _at("2022-07-02")),  # Q2's, 12 days
    _appeal("C1", "power", _at("2022-07-07"), "received"),
    _appeal("C2", "power", _at("2022-06-30", hour=20), "received"),  # 1 July in Tashkent
    _appeal("N1", None, _at("2022-08-08"), "received"),
]


def _rules() -> RuleBook:
    rules = load_rules()
    ratings = msgspec.structs.replace(rules.ratings, min_received=2)
    return dataclasses.replace(rules, ratings=ratings)


def test_bodies_are_rated_and_ranked_by_the_documented_rules(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        upsert_rows(session, Appeal, APPEALS, key=["appeal_id"])
        refresh_body_ratings(session, _rules(), date(2022, 9, 30))
    with graph_db.session() as session:
        rows = session.scalars(select(BodyRating).order_by(BodyRating.quarter_on)).all()
        got = {(r.quarter_on, r.body): r for r in rows}
    fields = ("received", "resolved", "resolution_rate", "median_days", "p90_days",
              "overdue_open", "rank")  # fmt: skip
    expected = {
        (Q3, "khokimiyat"): (3, 2, 2 / 3, 6.0, 2 + 0.9 * 8, 0, 1),
        (Q3, "gas"): (3, 1, 1 / 3, 6.5, 1 + 0.9 * 11, 1, 2),
        (Q3, "power"): (2, 0, 0.0, None, None, 2, 3),
        (Q3, NO_ADDRESSEE): (1, 0, 0.0, None, None, 1, None),
        # Q2 knew only B4, received 20 June and still open on 30 June (10 days).
        (Q2, "gas"): (1, 0, 0.0, None, None, 0, None),
    }
    assert set(got) == set(expected)
    for key, values in expected.items():
        row = tuple(getattr(got[key], f) for f in fields)
        assert row[:2] == values[:2] and row[5:] == values[5:], key
        for actual, wanted in zip(row[2:5], values[2:5], strict=True):
            assert (actual is None) == (wanted is None), key
            if wanted is not None:
                assert abs(actual - wanted) < 1e-9, key


def test_no_appeals_means_no_ratings(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        assert refresh_body_ratings(session, _rules(), date(2022, 9, 30)).is_empty()
        assert session.scalars(select(BodyRating)).all() == []
