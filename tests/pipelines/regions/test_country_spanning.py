"""The country step compares the records a blocking rule of the model could pair across
regions, with their persons whole, and no others; a person of two regions tied by nothing
but a name and a birth date is still found and merged. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from hub.graph.models import Person, SourceRecord
from hub.identity.linkage import load_latest_model
from pipelines.linking.blocking import Rule, UncoveredRuleError, check_covered, model_rules
from pipelines.regions.country import link_across_regions
from pipelines.regions.spanning import SPANNING_GROUPS, crossing_rules, spanning_records
from pipelines.resources import HubDatabase
from tests.pipelines.linking.conftest import GroupResolver, deliver, hub_id_of, person_rows

HERE = "1703202015"  # region 1703 (the fixtures' mahalla)
THERE = "1726262001"  # region 1726
HERE_TOO = "1703202099"  # another mahalla of region 1703


def _person(
    key: str, name: str, born: date | None, mahalla: str | None, **extra: Any
) -> dict[str, Any]:
    return {
        "record_key": key,
        "full_name": name,
        "birth_date": born,
        "mahalla_code": mahalla,
    } | extra


def _graph(graph_db: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Each source's rows as one delivery, every record founding a person of its own (as
    region partitions that never saw each other's records leave them)."""
    founding = GroupResolver()
    for source, records in rows.items():
        deliver(graph_db, source, person_rows(source, records), founding)


def _records_of(graph_db: Any, found: Any) -> set[str]:
    with graph_db.session() as session:
        query = select(SourceRecord.source, SourceRecord.record_key).where(
            SourceRecord.person_id.in_(found.persons) | SourceRecord.id.in_(found.unlinked)
        )
        return {f"{source}/{key}" for source, key in session.execute(query)}


def _spanning(graph_db: Any) -> set[str]:
    with graph_db.session() as session:
        found = spanning_records(session)
    return _records_of(graph_db, found)


KARIMOV = "Karimov Akmal Bahtiyorovich"


def test_records_a_rule_pairs_across_regions_span_and_namesakes_of_a_year_do_not(
    graph_db: Any,
) -> None:
    _graph(
        graph_db,
        {
            "tax": [
                # Surname root, given initial and birth date, in two regions: rule 4.
                _person("T1", KARIMOV, date(1980, 5, 17), HERE),
                # The same root and year, another date: a namesake no rule pairs with T1.
                _person("T2", "Karimov Anvar", date(1980, 2, 1), THERE),
                # One region only, however alike.
                _person("T3", "Rahimov Bobur", date(1975, 3, 3), HERE),
                _person("T4", "Rahimov Bobur", date(1975, 3, 3), HERE_TOO),
            ],
            "bank": [
                # No stated date: the PINFL (not valid) encodes 17 May 1980, the engine's date.
                _person("B1", "Karimova A.", None, THERE, pinfl="31705801234560"),
                # A passport written another way in each region: the engine's key agrees.
                _person("B2", "Yusupov Bobur", None, HERE, passport="ab 1234567"),
                _person("B3", "Tursunova Malika", None, THERE, passport="AB1234567"),
                # No region: linked against every region by the country step's first part.
                _person("B4", "Rahimov Bobur", date(1975, 3, 3), None),
            ],
        },
    )
    assert _spanning(graph_db) == {"tax/T1", "bank/B1", "bank/B2", "bank/B3"}


def test_a_record_with_a_lost_letter_spans_through_the_names_it_can_stand_for(
    graph_db: Any,
) -> None:
    _graph(
        graph_db,
        {
            "tax": [_person("T1", "Rahimov Akmal", date(1980, 5, 17), HERE)],
            # A Windows-1251 export lost the letter: Ра?имов is Rahimov, Raqimov, ...
            "employment": [
                _person("E1", "Ра?имов Акмал", date(1980, 5, 17), THERE),
                _person("E2", "Ра?имов Бобур", date(1991, 1, 1), THERE),
            ],
        },
    )
    assert _spanning(graph_db) == {"tax/T1", "employment/E1"}


def test_every_rule_that_can_cross_regions_has_a_grouping_and_the_others_none() -> None:
    rules = model_rules(load_latest_model().settings)
    crossing = crossing_rules(rules)
    assert 0 < len(crossing) < len(rules)
    assert all("region" not in r.text and "mahalla" not in r.text for r in crossing)
    check_covered(crossing, (g.family for g in SPANNING_GROUPS))
    # A rule on a column no grouping keys on is refused, not silently missed.
    with pytest.raises(UncoveredRuleError):
        check_covered([*crossing, Rule('l."x" = r."x"', ())], (g.family for g in SPANNING_GROUPS))


def test_a_person_of_two_regions_tied_only_by_name_and_birth_date_is_merged(
    graph_db: Any, tmp_path: Path
) -> None:
    _graph(
        graph_db,
        {
            "tax": [
                _person("T1", KARIMOV, date(1980, 5, 17), HERE, sex="M"),
                _person("T2", "Yusupova Dilnoza Anvarovna", date(1991, 9, 2), HERE, sex="F"),
            ],
            "bank": [_person("B1", KARIMOV, date(1980, 5, 17), THERE, sex="M")],
        },
    )
    assert hub_id_of(graph_db, "tax", "T1") != hub_id_of(graph_db, "bank", "B1")
    hub = HubDatabase(
        database_url=graph_db.url,
        landing_dir=str(tmp_path / "landing"),
        reports_dir=str(tmp_path / "reports"),
    )
    report = link_across_regions(hub)
    assert report.merged == 1
    # Only the pair's persons were compared: the tax namesake-free record stayed out.
    assert report.records_compared == 2
    assert hub_id_of(graph_db, "tax", "T1") == hub_id_of(graph_db, "bank", "B1")
    with graph_db.session() as session:
        persons = session.scalars(select(Person.hub_id)).all()
    assert len(persons) == 2
    assert set(report.seconds) >= {"find", "read", "engine", "assign"}
    assert pl.Series(list(report.seconds.values())).min() >= 0
