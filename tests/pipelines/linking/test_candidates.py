"""Which graph records a delivery is linked against: those the model's blocking rules could
pair with one of its mentions, with their persons whole; not every record of a common
surname root born the same year or living in the same mahalla. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from hub.identity.linkage import load_latest_model
from pipelines.linking.blocking import (
    Equality,
    Missing,
    UncoveredRuleError,
    check_covered,
    model_rules,
    parse_rule,
    reachable,
)
from pipelines.linking.candidates import gather_candidates
from pipelines.linking.lookups import FAMILIES
from pipelines.linking.records import person_records

MAHALLA = "1703202015"
OTHER_MAHALLA = "1703202099"


def _person(key: str, name: str, born: date | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "record_key": key,
        "full_name": name,
        "birth_date": born,
        "mahalla_code": MAHALLA,
    } | extra


def _gathered(graph_db: Any, staged: pl.DataFrame) -> set[str]:
    with graph_db.session() as session:
        found = gather_candidates(session, person_records("employment", staged))
    return set(found["record_key"].to_list())


@pytest.fixture
def graph(link_delivery, staged_persons, resolver) -> None:  # type: ignore[no-untyped-def]
    resolver.groups.update({"tax/T1": "karim", "tax/T2": "karim"})
    link_delivery(
        "tax",
        staged_persons(
            "tax",
            [
                # One person, two records: only the first shares a key with the delivery.
                _person("T1", "Karimov Akmal Bahtiyorovich", date(1980, 5, 17)),
                _person("T2", "Karimov Akmal", None, mahalla_code=OTHER_MAHALLA),
                # The same surname root and birth year, another given name and mahalla.
                _person("T3", "Karimova Dilnoza", date(1980, 2, 1), mahalla_code=OTHER_MAHALLA),
                # Another surname, the same given name and birth date in the region.
                _person("T4", "Rahimov Akmal", date(1980, 5, 17), mahalla_code=OTHER_MAHALLA),
                # No birth date; an invalid PINFL whose digits encode 17 May 1980.
                _person(
                    "T5", "Karimov Anvar", None, pinfl="31705801234560", mahalla_code=OTHER_MAHALLA
                ),
            ],
        ),
    )


def test_a_delivery_gathers_what_the_blocking_rules_reach_and_those_persons_whole(
    graph_db: Any, graph: None, staged_persons: Any
) -> None:
    incoming = staged_persons(
        "employment", [_person("E1", "Karimov Akmal", date(1980, 5, 17), mahalla_code="1703202050")]
    )
    assert _gathered(graph_db, incoming) == {"T1", "T2", "T4", "T5"}


def test_a_mention_of_the_same_mahalla_and_surname_root_reaches_one_with_its_initial(
    graph_db: Any, graph: None, staged_persons: Any
) -> None:
    incoming = staged_persons("employment", [_person("E2", "Karimova D.", None)])
    # T3 lives elsewhere; T1 (and so its person's T2) shares the mahalla, not the initial.
    assert _gathered(graph_db, incoming) == set()
    incoming = staged_persons("employment", [_person("E3", "Karimov A.", None)])
    assert _gathered(graph_db, incoming) == {"T1", "T2"}
    # Both dated, on other dates: only a rule on the given name and a date part pairs them.
    incoming = staged_persons("employment", [_person("E4", "Karimov Alisher", date(1990, 1, 1))])
    assert _gathered(graph_db, incoming) == set()


@pytest.mark.parametrize(
    ("stored", "delivered"),
    [
        ({"passport": "ab 1234567"}, {"passport": "AB1234567"}),
        # Cyrillic capitals typed for their Latin look-alikes (a Russian keyboard layout).
        ({"passport": "АВ 1234567"}, {"passport": "AB1234567"}),
        ({"phone": "+998901234567"}, {"phone": "90 123-45-67"}),
        ({"phone": "998 (90) 123 45 67"}, {"phone": "+998901234567"}),
    ],
    ids=["passport-spaced", "passport-cyrillic", "phone-national", "phone-punctuated"],
)
def test_a_passport_or_phone_written_another_way_still_finds_its_record(
    graph_db: Any,
    link_delivery: Any,
    staged_persons: Any,
    stored: dict[str, str],
    delivered: dict[str, str],
) -> None:
    # Nothing but the document or the number ties the two: other names, no dates, another
    # mahalla. The engine compares both by their keys, so the lookup must too.
    link_delivery("bank", staged_persons("bank", [_person("B1", "Yusupov Bobur", None, **stored)]))
    incoming = staged_persons(
        "employment",
        [_person("E9", "Tursunova Malika", None, mahalla_code=OTHER_MAHALLA, **delivered)],
    )
    assert _gathered(graph_db, incoming) == {"B1"}
    # Junk that keeps no key (a blank passport, a phone of two digits) finds nothing.
    junk = {"passport": "  "} if "passport" in stored else {"phone": "12"}
    incoming = staged_persons(
        "employment", [_person("E10", "Tursunova Malika", None, mahalla_code=OTHER_MAHALLA, **junk)]
    )
    assert _gathered(graph_db, incoming) == set()


def test_the_saved_model_s_rules_are_all_covered_by_a_candidate_lookup() -> None:
    settings = load_latest_model().settings
    rules = model_rules(settings)
    assert len(rules) == len(settings["blocking_rules_to_generate_predictions"])
    check_covered(rules, FAMILIES)
    district = 'l."district" = r."district" AND l."sex_eff" = r."sex_eff"'
    with pytest.raises(UncoveredRuleError, match="district"):
        check_covered([parse_rule(district)], FAMILIES)
    # Surname, initial and mahalla are looked up only for pairs with a side undated.
    dated = 'l."surname_key" = r."surname_key" AND l."given_initial" = r."given_initial"'
    dated += ' AND l."mahalla_code" = r."mahalla_code"'
    with pytest.raises(UncoveredRuleError):
        check_covered([parse_rule(dated)], FAMILIES)
    check_covered(
        [parse_rule(dated + ' AND (l."birth_any" IS NULL OR r."birth_any" IS NULL)')], FAMILIES
    )


def test_a_rule_s_alternatives_are_kept_and_terms_of_other_shapes_only_widen_the_match() -> None:
    rule = parse_rule(
        'l."surname_key" = r."surname_key"'
        ' AND substr(l."birth_any", 1, 4) = substr(r."birth_any", 1, 4)'
        ' AND (l."sex_eff" = r."sex_eff" OR l."sex_eff" IS NULL OR r."sex_eff" IS NULL)'
        ' AND levenshtein(l."given_key", r."given_key") <= 1'
    )
    assert [e.name for e in rule.equalities] == ["surname_key", "birth_any@0+4"]
    assert rule.alternatives == ((Equality("sex_eff"), Missing("sex_eff")),)
    found = pl.DataFrame(
        {
            "unique_id": [0, 1, 2, 3, 4, 5],
            "surname_key": ["karim", "karim", "rahim", "ra?im", "karim", "karim"],
            "given_key": [None, None, None, None, None, None],
            "patronymic_key": [None, None, None, None, None, None],
            "birth_any": ["19800517", "19810517", "19800517", None, "19800101", "19801231"],
            "sex_eff": ["F", "M", "M", None, None, "M"],
        },
        schema_overrides={"given_key": pl.String, "patronymic_key": pl.String},
    )
    incoming = found.filter(pl.col("unique_id") == 0).with_columns(sex_eff=pl.lit("M"))
    # Another sex (0), year (1) or surname (2) is out; a lost letter (3) is always in.
    assert reachable(found, incoming, [rule])["unique_id"].to_list() == [3, 5, 4]
