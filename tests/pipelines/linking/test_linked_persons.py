"""The linked_persons step on hand-written deliveries: stable ids, merges, splits, no orphans,
facts following their records, unlinked mentions kept with their reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from sqlalchemy import func, select

from hub.graph.models import (
    Appeal,
    Person,
    PersonConflict,
    PersonRedirect,
    PersonSplit,
    SourceRecord,
    TaxRegistration,
)
from pipelines.staging.mentions import add_mention_columns

MOTHER_PINFL = "42503751234565"
MAHALLA = "1703202015"


def _persons(rows: list[dict[str, object]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        mahalla_code=pl.lit(MAHALLA), birth_date=pl.lit(None, pl.Date), sex=pl.lit(None, pl.String)
    )
    pinfl = pl.col("pinfl") if "pinfl" in frame.columns else pl.lit(None)
    frame = frame.with_columns(pinfl=pinfl.cast(pl.String))
    return add_mention_columns(
        frame, pinfl="pinfl", full_name="full_name", birth_on="birth_date", sex="sex"
    )


def _survey(*members: tuple[int, str, str | None], survey_id: str = "SV-1") -> pl.DataFrame:
    return _persons(
        [
            {
                "record_key": f"{survey_id}/{n}",
                "survey_id": survey_id,
                "full_name": name,
                "pinfl": p,
            }
            for n, name, p in members
        ]
    )


def _tax(tin: str, name: str, pinfl: str | None = None) -> pl.DataFrame:
    return _persons([{"record_key": tin, "tin": tin, "full_name": name, "pinfl": pinfl}])


def _count(graph_db, model) -> int:  # type: ignore[no-untyped-def]
    with graph_db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_linking_compares_the_record_s_own_birth_date_not_the_one_inside_its_pinfl(
    graph_db, resolver, link_delivery, hub_id, orphans
) -> None:
    staged = _survey((2, "Karimova Dilnoza Jasur qizi", MOTHER_PINFL))
    # Staging still fills the date in for display; linkage must not see it.
    assert staged["birth_on"].to_list() == [date(1975, 3, 25)]
    link_delivery("survey", staged)
    (mentions,) = resolver.seen
    assert mentions.select("birth_on", "sex").row(0) == (None, None)
    with graph_db.session() as session:
        record = session.scalars(select(SourceRecord)).one()
        assert (record.stated_birth_on, record.birth_on) == (None, date(1975, 3, 25))


def test_a_merge_keeps_the_older_id_redirects_the_other_and_moves_its_facts(
    graph_db, resolver, link_delivery, hub_id, orphans
) -> None:
    link_delivery("survey", _survey((1, "Karimov Jasur Anvar o'g'li", None)))
    older = hub_id("survey", "SV-1/1")
    links = link_delivery("tax", _tax("412345678", "KARIMOV JASUR", "31503851234566"))
    newer = hub_id("tax", "412345678")
    assert older and newer and older != newer
    with graph_db.session() as session, session.begin():
        session.add(
            TaxRegistration(
                tin="412345678",
                person_id=links["person_id"][0],
                regime="self_employed",
                registered_on=date(2022, 5, 1),
                source_updated_at=datetime(2022, 12, 1, tzinfo=UTC),
            )
        )
    # An employment record shows the two are one person.
    resolver.groups = {"survey/SV-1/1": "K", "tax/412345678": "K", "employment/E-1": "K"}
    resolver.probabilities = {"tax/412345678": 0.97, "employment/E-1": 0.99}
    employment = _persons([{"record_key": "E-1", "full_name": "Каримов Жасур"}])
    link_delivery("employment", employment)

    assert {hub_id(*m.split("/", 1)) for m in resolver.groups} == {older}
    with graph_db.session() as session:
        (redirect,) = session.scalars(select(PersonRedirect)).all()
        assert (redirect.from_hub_id, redirect.to_hub_id) == (newer, older)
        person_id = session.scalar(select(Person.id).where(Person.hub_id == older))
        registration = session.scalars(select(TaxRegistration)).one()
        assert registration.person_id == person_id
        tax = session.scalars(select(SourceRecord).where(SourceRecord.source == "tax")).one()
        assert (tax.match_method, tax.match_score) == ("probabilistic", 0.97)
        # The person's PINFL came from the tax record (trusted on PINFLs).
        assert session.scalar(select(Person.pinfl).where(Person.id == person_id)) == (
            "31503851234566"
        )
    assert _count(graph_db, Person) == 1
    assert orphans() == 0


def test_a_split_mints_a_new_id_for_the_part_taken_away_and_records_why(
    graph_db, resolver, link_delivery, hub_id, orphans
) -> None:
    resolver.groups = {"survey/SV-1/1": "A", "survey/SV-1/2": "A"}
    link_delivery("survey", _survey((1, "Aliyev Anvar", None), (2, "Aliyev Anvar", None)))
    together = hub_id("survey", "SV-1/1")
    assert hub_id("survey", "SV-1/2") == together
    # A later tax record sides with member 1; the engine refuses to keep member 2 with it.
    resolver.groups = {"survey/SV-1/1": "A", "tax/412345678": "A", "survey/SV-1/2": "B"}
    resolver.refused = [("survey/SV-1/1", "survey/SV-1/2")]
    link_delivery("tax", _tax("412345678", "ALIYEV ANVAR"))

    assert hub_id("survey", "SV-1/1") == together
    minted = hub_id("survey", "SV-1/2")
    assert minted not in (None, together)
    with graph_db.session() as session:
        (split,) = session.scalars(select(PersonSplit)).all()
        assert (split.hub_id, split.from_hub_id) == (minted, together)
        assert split.reason == "two members of one household"
        kinds = set(session.scalars(select(PersonConflict.kind)))
        assert "merge_refused" in kinds
    assert orphans() == 0


def test_a_household_redelivered_without_a_member_leaves_no_person_behind(
    graph_db, resolver, link_delivery, hub_id, orphans
) -> None:
    first = _survey((1, "Aliyev Anvar", None), (2, "Aliyeva Malika", None), survey_id="SV-2")
    link_delivery("survey", first, ("SV-2",))
    assert _count(graph_db, Person) == 2
    again = _survey((1, "Aliyev Anvar", None), survey_id="SV-2")
    link_delivery("survey", again, ("SV-2",))

    assert _count(graph_db, Person) == 1
    assert orphans() == 0
    assert hub_id("survey", "SV-2/2") is None


def test_an_unlinked_mention_keeps_its_reason_until_evidence_links_it_and_its_fact(
    graph_db, resolver, link_delivery, hub_id, orphans
) -> None:
    resolver.groups = {"appeals/AP-1": None}
    # A surname and an initial: enough for the model's mahalla block to reach him later.
    appeal = _persons([{"record_key": "AP-1", "full_name": "Aliyev A."}])
    links = link_delivery("appeals", appeal)
    assert links.select("person_id", "match_method").row(0) == (None, "unlinked")
    with graph_db.session() as session, session.begin():
        record = session.scalars(select(SourceRecord)).one()
        assert (record.person_id, record.unlinked_reason) == (None, "only a name")
        session.add(
            Appeal(
                appeal_id="AP-1",
                received_at=datetime(2022, 7, 3, tzinfo=UTC),
                channel="assistant",
                topic="water",
                status="received",
            )
        )
    assert _count(graph_db, Person) == 0
    # The survey then finds him in the same mahalla: the unlinked record is a candidate.
    resolver.groups = {"appeals/AP-1": "A", "survey/SV-3/1": "A"}
    resolver.probabilities = {"appeals/AP-1": 0.9}
    link_delivery("survey", _survey((1, "Aliyev Anvar", None), survey_id="SV-3"))

    person = hub_id("survey", "SV-3/1")
    assert person is not None and hub_id("appeals", "AP-1") == person
    with graph_db.session() as session:
        (appeal_row,) = session.scalars(select(Appeal)).all()
        assert appeal_row.person_id == session.scalar(
            select(Person.id).where(Person.hub_id == person)
        )


def test_relinking_the_same_delivery_keeps_every_id(
    graph_db, resolver, link_delivery, hub_id, orphans
) -> None:
    staged = _survey((1, "Aliyev Anvar", None), (2, "Aliyeva Malika", None))
    link_delivery("survey", staged)
    before = {k: hub_id("survey", k) for k in ("SV-1/1", "SV-1/2")}
    link_delivery("survey", staged)
    assert {k: hub_id("survey", k) for k in before} == before
    assert _count(graph_db, Person) == 2


@pytest.mark.parametrize("crash_in", ["refresh_golden", "retarget_facts"])
def test_a_crash_while_linking_leaves_the_previous_graph(
    graph_db, resolver, link_delivery, hub_id, monkeypatch: pytest.MonkeyPatch, crash_in: str
) -> None:
    link_delivery("survey", _survey((1, "Aliyev Anvar", None)))
    before = hub_id("survey", "SV-1/1")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed while linking")

    import pipelines.linking.step as step

    monkeypatch.setattr(step, crash_in, crash)
    resolver.groups = {"survey/SV-1/1": "A", "tax/412345678": "A"}
    with pytest.raises(RuntimeError, match="killed while linking"):
        link_delivery("tax", _tax("412345678", "ALIYEV ANVAR", "31503851234566"))
    assert hub_id("survey", "SV-1/1") == before
    with graph_db.session() as session:
        assert session.scalars(select(SourceRecord.source)).all() == ["survey"]
        assert session.scalar(select(Person.pinfl)) is None
