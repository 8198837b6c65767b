"""Survivorship: each attribute by its own rules, and a conflict for every disagreement."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from hub.identity.survivorship import RECORD_SCHEMA, choose_survivors


def _record(source: str, key: str, recency: int = 1, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RECORD_SCHEMA)
    row.update(hub_id="P", source=source, record_key=key, recency=recency, **values)
    return row


def _choose(*records: dict[str, Any]) -> tuple[dict[str, Any], pl.DataFrame]:
    survivors = choose_survivors(pl.DataFrame(list(records), schema=RECORD_SCHEMA))
    return survivors.golden.row(0, named=True), survivors.conflicts


def test_a_stated_birth_date_beats_one_read_from_a_pinfl_whatever_the_source() -> None:
    golden, conflicts = _choose(
        _record("survey", "S/1", birth_on=date(1985, 3, 15), pinfl="31503851234566"),
        _record("bank", "L-1", stated_birth_on=date(1986, 3, 15), birth_on=date(1986, 3, 15)),
    )
    assert golden["birth_on"] == date(1986, 3, 15)
    assert golden["birth_on_from"] == "bank/L-1"
    # The survey record states no date of its own: nothing of its own disagrees.
    assert conflicts.filter(pl.col("attribute") == "birth_on").is_empty()


def test_source_trust_comes_before_recency_and_recency_before_agreement() -> None:
    golden, conflicts = _choose(
        _record("tax", "T-1", recency=1, stated_sex="M", pinfl="31503851234566"),
        _record("survey", "S/1", recency=5, stated_sex="F", pinfl="41503851234560"),
        _record("appeals", "A-1", recency=3, phone="+998901111111"),
        _record("appeals", "A-2", recency=9, phone="+998902222222"),
        _record("appeals", "A-3", recency=2, phone="+998901111111"),
    )
    assert golden["sex"] == "F"  # the survey is trusted on sex over tax
    assert golden["pinfl"] == "31503851234566"  # tax is trusted on the PINFL over the survey
    assert golden["phone"] == "+998902222222"  # one source: the latest record wins
    by_attribute = {
        (r["attribute"], r["record_key"]): (r["value"], r["surviving_value"])
        for r in conflicts.iter_rows(named=True)
    }
    assert by_attribute[("sex", "T-1")] == ("M", "F")
    assert by_attribute[("pinfl", "S/1")] == ("41503851234560", "31503851234566")
    assert by_attribute[("phone", "A-1")] == ("+998901111111", "+998902222222")


def test_agreement_decides_between_equally_trusted_and_equally_recent_values() -> None:
    golden, _ = _choose(
        _record("employment", "E-1", recency=4, mahalla_code="1703202001"),
        _record("tax", "T-1", recency=4, mahalla_code="1703202002"),
        _record("tax", "T-2", recency=4, mahalla_code="1703202001"),
    )
    assert golden["mahalla_code"] == "1703202001"


def test_a_pinfl_that_its_own_record_contradicts_never_survives() -> None:
    golden, conflicts = _choose(
        _record("tax", "T-1", pinfl="31503851234566", pinfl_issue="inconsistent"),
        _record("survey", "S/1", latin_name="Karimov Jasur", surname_key="karim"),
    )
    assert golden["pinfl"] is None
    assert golden["name"] == "Karimov Jasur"
    assert conflicts.filter(pl.col("attribute") == "pinfl").is_empty()


def test_names_disagree_only_when_their_surname_roots_do() -> None:
    _, conflicts = _choose(
        _record("survey", "S/1", latin_name="Karimov Jasur Anvar o'g'li", surname_key="karim"),
        _record("land", "LS-1", latin_name="Karimov J. A.", surname_key="karim"),
        _record("bank", "L-1", latin_name="Rahimov J.", surname_key="rahim"),
    )
    names = conflicts.filter(pl.col("attribute") == "name")
    assert names.select("record_key", "value", "surviving_value").rows() == [
        ("L-1", "Rahimov J.", "Karimov Jasur Anvar o'g'li")
    ]


def test_a_readable_name_beats_one_with_letters_lost_as_question_marks() -> None:
    golden, conflicts = _choose(
        _record(
            "survey", "S/1", recency=9, latin_name="To?tasinov G?ayrat", surname_key="tu?tasin"
        ),
        _record("bank", "L-1", recency=1, latin_name="Toʻxtasinov Gʻ.", surname_key="tuhtasin"),
    )
    assert golden["name"] == "Toʻxtasinov Gʻ."
    assert golden["name_from"] == "bank/L-1"
    assert conflicts.filter(pl.col("attribute") == "name")["record_key"].to_list() == ["S/1"]
