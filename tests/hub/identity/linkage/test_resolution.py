"""resolve_identities on small hand-built deliveries: links, refusals and nothing lost."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from hub.identity import parse_pinfl
from hub.identity.linkage import ASSIGNMENT_SCHEMA, Resolution, resolve_identities
from hub.identity.linkage.engine import DuplicateMentionError
from tests.hub.identity.linkage.mentions import frame, mention, pinfl, typo

pytestmark = pytest.mark.slow

MOTHER_BORN = date(1968, 3, 14)
DAUGHTER_BORN = date(1994, 9, 2)
MOTHER_PINFL = pinfl(MOTHER_BORN, "F", 11)
DAUGHTER_PINFL = pinfl(DAUGHTER_BORN, "F", 12)


def _family() -> list[dict[str, object]]:
    household = {"household_key": "SV-1"}
    return [
        mention(
            "survey",
            "SV-1/1",
            full_name="Karimova Dilnoza Akmal qizi",
            pinfl=MOTHER_PINFL,
            birth_on=MOTHER_BORN,
            sex="F",
            **household,
        ),
        mention(
            "survey",
            "SV-1/2",
            full_name="Karimova Nigora Rustam qizi",
            pinfl=None,
            birth_on=DAUGHTER_BORN,
            sex="F",
            **household,
        ),
        mention(
            "survey",
            "SV-1/3",
            full_name="Karimov Rustam Baxtiyor o'g'li",
            pinfl=pinfl(date(1965, 1, 20), "M", 13),
            birth_on=date(1965, 1, 20),
            sex="M",
            **household,
        ),
    ]


def _cluster_of(result: Resolution, mention_id: str) -> int | None:
    row = result.assignments.filter(pl.col("mention_id") == mention_id)
    assert row.height == 1
    value = row["cluster"][0]
    return None if value is None else int(value)


def _row(result: Resolution, mention_id: str) -> dict[str, object]:
    return result.assignments.filter(pl.col("mention_id") == mention_id).row(0, named=True)


def test_every_mention_is_assigned_exactly_once_with_the_contract_columns() -> None:
    rows = [
        *_family(),
        mention(
            "tax", "T1", full_name="KARIMOVA DILNOZA", pinfl=MOTHER_PINFL, birth_on=MOTHER_BORN
        ),
        mention("appeals", "A1", full_name=None, pinfl=None),
        mention("land", "L1", full_name="Yo'ldoshev Anvar", pinfl=None),
    ]
    result = resolve_identities(frame(*rows))
    assert result.assignments.schema == pl.Schema(ASSIGNMENT_SCHEMA)
    assert sorted(result.assignments["mention_id"]) == sorted(r["mention_id"] for r in rows)
    unlinked = result.assignments.filter(pl.col("cluster").is_null())
    assert set(unlinked["method"]) <= {"unlinked"}
    assert unlinked["unlinked_reason"].null_count() == 0
    assert result.model_version.startswith("person_v")


def test_an_empty_delivery_resolves_to_empty_frames() -> None:
    result = resolve_identities(frame())
    assert result.assignments.is_empty()
    assert result.conflicts.is_empty()
    assert result.comparisons == 0


def test_a_mention_sent_twice_is_refused_by_its_id() -> None:
    twice = mention("tax", "T1", full_name="Aliyev Vali")
    with pytest.raises(DuplicateMentionError, match="'tax/T1' appears 2 times"):
        resolve_identities(frame(twice, twice))


def test_agency_record_with_the_same_valid_pinfl_joins_the_survey_member() -> None:
    rows = [
        *_family(),
        mention(
            "tax", "T1", full_name="KARIMOVA DILNOZA", pinfl=MOTHER_PINFL, birth_on=MOTHER_BORN
        ),
    ]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "tax/T1") == _cluster_of(result, "survey/SV-1/1")
    assert _row(result, "tax/T1")["method"] == "pinfl_exact"
    assert _row(result, "tax/T1")["matched_mention_id"] == "survey/SV-1/1"
    assert result.comparisons >= 1


def test_a_name_only_mention_without_a_match_is_unlinked_with_its_reason() -> None:
    rows = [*_family(), mention("land", "L1", full_name="Yo'ldoshev Anvar Sobir o'g'li")]
    result = resolve_identities(frame(*rows))
    row = _row(result, "land/L1")
    assert row["cluster"] is None
    assert row["method"] == "unlinked"
    assert "only a name" in str(row["unlinked_reason"])


def test_a_name_that_normalises_to_nothing_is_unlinked_and_says_so() -> None:
    rows = [*_family(), mention("appeals", "A1", full_name="123 -- !!")]
    result = resolve_identities(frame(*rows))
    row = _row(result, "appeals/A1")
    assert row["method"] == "unlinked"
    assert "normalises to nothing" in str(row["unlinked_reason"])
    assert "123 -- !!" in str(row["unlinked_reason"])


def test_survey_members_are_always_persons_even_with_nothing_but_a_name() -> None:
    rows = [mention("survey", "SV-9/1", full_name="Aliyev Vali", household_key="SV-9")]
    result = resolve_identities(frame(*rows))
    row = _row(result, "survey/SV-9/1")
    assert row["cluster"] is not None
    assert row["method"] == "singleton"


def test_a_relatives_pinfl_is_overruled_by_name_and_recorded_as_a_conflict() -> None:
    # The daughter's land lease carries her mother's PINFL and no birth date.
    rows = [
        *_family(),
        mention("land", "L7", full_name="Karimova Nigora Rustamovna", pinfl=MOTHER_PINFL),
    ]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "land/L7") != _cluster_of(result, "survey/SV-1/1")
    overruled = result.conflicts.filter(pl.col("kind") == "pinfl_overruled")
    pair = {"land/L7", "survey/SV-1/1"}
    assert any({r["mention_id"], r["other_mention_id"]} == pair for r in overruled.to_dicts())


def test_a_pinfl_with_one_mistyped_digit_still_links_its_person() -> None:
    mistyped = typo(DAUGHTER_PINFL)
    assert not hasattr(parse_pinfl(mistyped), "birth_on")  # really invalid
    rows = [
        *_family()[:1],
        mention(
            "survey",
            "SV-2/1",
            full_name="Sobirova Nigora Rustam qizi",
            pinfl=DAUGHTER_PINFL,
            birth_on=DAUGHTER_BORN,
            sex="F",
            household_key="SV-2",
        ),
        mention(
            "employment",
            "E5",
            full_name="Собирова Нигора Рустамовна",
            pinfl=mistyped,
            birth_on=DAUGHTER_BORN,
            sex="F",
        ),
    ]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "employment/E5") == _cluster_of(result, "survey/SV-2/1")
    assert _row(result, "employment/E5")["method"] == "probabilistic"
    assert float(_row(result, "employment/E5")["match_probability"]) >= 0.5  # type: ignore[arg-type]


def test_one_pinfl_shared_by_two_different_people_in_one_delivery_keeps_them_apart() -> None:
    shared = pinfl(date(1979, 5, 5), "M", 21)
    rows = [
        mention(
            "tax",
            "T1",
            full_name="Rahimov Jasur Anvar o'g'li",
            pinfl=shared,
            birth_on=date(1979, 5, 5),
        ),
        mention(
            "tax",
            "T2",
            full_name="Toshmatov Sardor Ilhom o'g'li",
            pinfl=shared,
            birth_on=date(2001, 11, 30),
        ),
    ]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "tax/T1") != _cluster_of(result, "tax/T2")
    shared_rows = result.conflicts.filter(pl.col("kind") == "pinfl_shared")
    assert shared_rows.height == 1
    assert {shared_rows["mention_id"][0], shared_rows["other_mention_id"][0]} == {
        "tax/T1",
        "tax/T2",
    }
    assert shared in shared_rows["detail"][0]


def test_a_person_listed_twice_in_one_survey_household_stays_two_members_with_a_conflict() -> None:
    born = date(1990, 6, 1)
    same = {
        "full_name": "Aliyev Vali Akmal o'g'li",
        "pinfl": pinfl(born, "M", 31),
        "birth_on": born,
        "sex": "M",
        "household_key": "SV-5",
    }
    rows = [mention("survey", "SV-5/1", **same), mention("survey", "SV-5/2", **same)]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "survey/SV-5/1") != _cluster_of(result, "survey/SV-5/2")
    refused = result.conflicts.filter(pl.col("kind") == "merge_refused")
    assert refused.height == 1
    assert "household SV-5" in refused["detail"][0]


def test_a_merge_of_two_people_confirmed_different_is_refused_even_when_anchored() -> None:
    first, second = date(1970, 2, 2), date(1972, 8, 8)
    rows = [
        mention(
            "tax",
            "T1",
            full_name="Aliyev Vali",
            pinfl=pinfl(first, "M", 41),
            birth_on=first,
            person_hub_id="hub-1",
        ),
        mention(
            "bank",
            "B1",
            full_name="ALIEV V.",
            pinfl=pinfl(second, "M", 42),
            birth_on=second,
            person_hub_id="hub-1",
        ),
    ]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "tax/T1") != _cluster_of(result, "bank/B1")
    refused = result.conflicts.filter(pl.col("kind") == "merge_refused")
    assert "confirmed PINFLs" in refused["detail"][0]


def test_mentions_anchored_to_one_person_stay_together_as_a_previous_link() -> None:
    rows = [
        mention(
            "tax", "T1", full_name="Aliyev Vali", person_hub_id="hub-7", birth_on=date(1980, 1, 1)
        ),
        mention(
            "appeals", "A3", full_name="Vali Aliyev", person_hub_id="hub-7", phone="+998901112233"
        ),
    ]
    result = resolve_identities(frame(*rows))
    assert _cluster_of(result, "tax/T1") == _cluster_of(result, "appeals/A3")
    assert "previous_link" in set(result.assignments["method"])
