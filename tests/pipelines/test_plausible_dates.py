"""The plausible date ranges are configuration: defaults, overrides, and clear refusals."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.staging.plausible_dates import (
    DEFAULT_RANGES,
    VARIABLE,
    Bound,
    PlausibleDates,
    PlausibleDatesError,
)
from pipelines.staging.tables import StagingContext, stage_appeals

TODAY = date(2026, 12, 3)


def _appeals(received: list[str]) -> pl.DataFrame:
    n = len(received)
    return pl.DataFrame(
        {
            "appeal_id": [f"AP-{i}" for i in range(n)],
            "record_key": [f"AP-{i}" for i in range(n)],
            "origin": [f"appeals_1.jsonl:{i + 1}" for i in range(n)],
            "received_at": [f"{day}T09:00:00+05:00" for day in received],
            "channel": ["assistant"] * n,
            "mahalla_code": ["1703202015"] * n,
            "applicant_pinfl": [None] * n,
            "applicant_full_name": ["Abdullayev Akmal"] * n,
            "applicant_phone": [None] * n,
            "topic": ["gas"] * n,
            "addressed_to": [None] * n,
            "status": ["received"] * n,
            "resolved_at": [None] * n,
        },
        schema_overrides={"applicant_pinfl": pl.String, "applicant_phone": pl.String},
    ).with_columns(
        pl.col("received_at").str.to_datetime(time_zone="UTC"),
        pl.col("resolved_at").cast(pl.Datetime("us", "UTC")),
    )


def _context(dates: PlausibleDates) -> StagingContext:
    known = pl.Series(["1703202015"], dtype=pl.String)
    return StagingContext(known, TODAY, 1, "appeals_1.jsonl", dates)


def test_without_the_variable_every_dated_field_has_its_default_range() -> None:
    dates = PlausibleDates.from_env({})
    assert (
        dates.of("survey_households")["surveyed_on"]
        == DEFAULT_RANGES["survey_households"]["surveyed_on"]
    )
    assert dates.of("land")["ends_on"].latest.on(TODAY) > date(2120, 1, 1)
    assert str(dates.of("appeals")["received_at"]) == "2000-01-01..today+1d"


def test_the_variable_overrides_named_fields_and_keeps_the_others() -> None:
    environ = {
        VARIABLE: "appeals.received_at=2022-01-01..today, land.ends_on=1991-01-01..2060-12-31"
    }
    dates = PlausibleDates.from_env(environ)
    received = dates.of("appeals")["received_at"]
    assert (received.earliest.on(TODAY), received.latest.on(TODAY)) == (date(2022, 1, 1), TODAY)
    assert dates.of("land")["ends_on"].latest == Bound(date(2060, 12, 31))
    assert dates.of("bank") == DEFAULT_RANGES["bank"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("appeals.received_at", "is not <table>.<column>=<earliest>..<latest>"),
        ("appeals.topic=2000-01-01..today", "'appeals.topic' is not a dated field; known:"),
        ("appeals.received_at=yesterday..today", "The bound 'yesterday' is not an ISO date"),
        ("land.ends_on=2000-02-30..today", "The bound '2000-02-30' is not an ISO date"),
    ],
)
def test_a_bad_setting_is_refused_with_the_variable_and_the_value(value: str, message: str) -> None:
    with pytest.raises(PlausibleDatesError) as caught:
        PlausibleDates.from_env({VARIABLE: value})
    assert str(caught.value).startswith(f"{VARIABLE} has value {value!r}.")
    assert message in str(caught.value)


def test_staging_rejects_dates_outside_the_configured_range_and_keeps_the_rest() -> None:
    landed = _appeals(["1800-07-03", "2021-07-03", "2022-07-03", "2026-12-05"])
    default = stage_appeals(landed, _context(PlausibleDates.from_env({})))
    assert default.frame["appeal_id"].to_list() == ["AP-1", "AP-2"]
    assert default.rejects["record_key"].to_list() == ["AP-0", "AP-3"]
    [first], [last] = default.rejects["reasons"].to_list()
    assert first == (
        "received_at '1800-07-03 04:00:00.000000+00:00' is outside its plausible range "
        "2000-01-01..today+1d (2000-01-01 to 2026-12-04)"
    )
    assert "2026-12-05" in last
    narrowed = PlausibleDates.from_env({VARIABLE: "appeals.received_at=2022-01-01..today"})
    staged = stage_appeals(landed, _context(narrowed))
    assert staged.frame["appeal_id"].to_list() == ["AP-2"]
    assert staged.frame.height + staged.rejects.height == landed.height


def test_a_bad_setting_stops_the_definitions_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.definitions import build_resources

    monkeypatch.setenv(VARIABLE, "survey_households.surveyed_on=2015-01-01..soon")
    with pytest.raises(PlausibleDatesError, match="The bound 'soon' is not an ISO date"):
        build_resources()
