"""Record-level faults of hostile or careless deliveries, run through land, stage and load.

Each test builds its delivery, runs it as a scheduled run would, and checks on SQLite and
PostgreSQL that every delivered record is accounted for (delivered = accepted + rejected),
that the bad ones are quarantined with a reason naming field, value and rule, and that the
rest of the delivery reaches the graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.config import HubSettings
from hub.graph.models import (
    Appeal,
    EmploymentRecord,
    Household,
    LandLease,
    Loan,
    Mahalla,
    Parcel,
    SourceRecord,
    TaxRegistration,
)
from pipelines.resources import HubDatabase
from tests.api_keys import key_headers
from tests.pipelines.record_deliveries import (
    OnePageAgency,
    api_body,
    appeal,
    deliveries_of,
    employment_file,
    employment_row,
    household,
    jsonl_file,
    lease,
    leases_file,
    loan,
    mahalla_row,
    member,
    registered_hub,
    registry_files,
    rejects_of,
    run_api,
    run_files,
    taxpayer,
)


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    """A hub on the test's database whose register knows the mahallas the deliveries use."""
    return registered_hub(graph_db.url, tmp_path)


def count(hub: HubDatabase, model: type) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def only_delivery(hub: HubDatabase, source: str):  # type: ignore[no-untyped-def]
    [delivery] = deliveries_of(hub, source)
    assert delivery.status == "loaded"
    assert delivery.delivered == delivery.accepted + delivery.rejected
    return delivery


def test_an_unclosed_quote_rejects_its_own_row_and_the_rows_after_it_load(
    hub: HubDatabase, tmp_path: Path
) -> None:
    rows = [employment_row(n) for n in range(1, 52)]
    rows[2] = employment_row(3, Направление='"Ishga marhamat monomarkazi')
    run_files(hub, "employment", employment_file(tmp_path / "employment", rows))
    delivery = only_delivery(hub, "employment")
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (51, 50, 1)
    assert count(hub, EmploymentRecord) == 50
    [reject] = rejects_of(hub, "employment")
    assert reject.record_key == "E2022-0000003"
    assert reject.origin == "employment_2022-02.csv:4"
    assert "opens a quoted field that does not close" in reject.reasons[0]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (household(2, monthly_income_uzs=2**63), "monthly_income_uzs 9223372036854775808 is out"),
        (household(2, members=[member(2**63 - 1)]), "member_no 9223372036854775807 is out"),
        (household(2, members=[member(2**40)]), "member_no 1099511627776 is out of range"),
        (household(2, monthly_income_uzs=2**64), "monthly_income_uzs 1.8446744073709552e+19"),
    ],
)
def test_a_survey_integer_the_graph_cannot_hold_is_a_reject_and_the_rest_loads(
    hub: HubDatabase, tmp_path: Path, bad: dict[str, object], reason: str
) -> None:
    items = [household(1), bad, household(3)]
    run_files(hub, "survey", jsonl_file(tmp_path / "survey", "survey_1.jsonl", items))
    # Staged survey rows are households and members: two of each, and the unreadable line.
    delivery = only_delivery(hub, "survey")
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (5, 4, 1)
    [reject] = rejects_of(hub, "survey")
    assert reject.record_key == "SV-1703202015-00002"
    assert reason in reject.reasons[0]
    with hub.session() as session:
        incomes = set(session.scalars(select(Household.monthly_income_uzs)))
    assert incomes == {2400000}


@pytest.mark.parametrize(
    ("source", "bad", "model", "reason"),
    [
        ("tax", taxpayer(2, tax_year=2**63), TaxRegistration, "tax_year 9223372036854775808"),
        ("tax", taxpayer(2, tax_year=2**40), TaxRegistration, "tax_year 1099511627776 is out"),
        (
            "tax",
            taxpayer(2, declared_income_uzs="100000000000000000000.00"),
            TaxRegistration,
            "declared_income_uzs '100000000000000000000.00' is out of range",
        ),
        ("bank", loan(2, amount_tiyin=2**63), Loan, "amount_tiyin 9223372036854775808 is out"),
        ("bank", loan(2, term_months=2**31), Loan, "term_months 2147483648 is out of range"),
        (
            "tax",
            taxpayer(2, updated_at="0001-01-01T00:00:00+05:00"),
            TaxRegistration,
            "updated_at '0000-12-31 19:00:00.000000+00:00' is outside its plausible range",
        ),
    ],
)
def test_an_api_value_the_graph_cannot_hold_is_a_reject_and_the_rest_loads(
    hub: HubDatabase, source: str, bad: dict[str, object], model: type, reason: str
) -> None:
    build = taxpayer if source == "tax" else loan
    items = [build(1), bad, build(3)]
    run_api(hub, OnePageAgency(source, api_body(source, items)))
    delivery = only_delivery(hub, source)
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (3, 2, 1)
    [reject] = rejects_of(hub, source)
    assert reason in reject.reasons[0]
    assert count(hub, model) == 2


def test_values_postgresql_refuses_are_quarantined_alike_on_both_databases(
    hub: HubDatabase, tmp_path: Path
) -> None:
    long_street = {"street": "Navoiy " * 45 + "x", "house": "1", "apartment": None}
    items = [
        household(1),
        household(2, members=[member(1, full_name="Abdullayev\u0000 Akmal")]),
        household(3, address=long_street),
        household(4, members=[member(1, pinfl="315038512345661")]),
    ]
    run_files(hub, "survey", jsonl_file(tmp_path / "survey", "survey_1.jsonl", items))
    # Four households and their four members; the long street takes its member with it.
    delivery = only_delivery(hub, "survey")
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (8, 5, 3)
    reasons = {r.record_key: r.reasons[0] for r in rejects_of(hub, "survey")}
    assert "household 'SV-1703202015-00003' was rejected" in reasons["SV-1703202015-00003/1"]
    assert count(hub, Household) == 3
    assert "full_name contains a NUL character" in reasons["SV-1703202015-00002/1"]
    assert "street is 316 characters long" in reasons["SV-1703202015-00003"]
    assert "household.street holds at most 200" in reasons["SV-1703202015-00003"]
    # A PINFL of the wrong length is a mention with its issue, kept as delivered.
    with hub.session() as session:
        kept = session.scalar(
            select(SourceRecord.pinfl_issue).where(
                SourceRecord.record_key == "SV-1703202015-00004/1"
            )
        )
    assert kept == "wrong_length"


def test_an_area_beyond_its_numeric_column_is_a_reject_and_extra_decimals_round(
    hub: HubDatabase, tmp_path: Path
) -> None:
    huge = "1" + "0" * 26 + ",5"
    no_cadastre = lease(4).replace('cadastre="17:03:02:01:02:0004"', 'cadastre=""')
    long_id = no_cadastre.replace('id="LS-0000004"', f'id="LS-{"4" * 40}"')
    leases = [lease(1, area="0,123456"), lease(2, area=huge), lease(3, name="A" * 316), long_id]
    run_files(hub, "land", leases_file(tmp_path / "land", leases))
    delivery = only_delivery(hub, "land")
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (4, 1, 3)
    reasons = {r.record_key: r.reasons[0] for r in rejects_of(hub, "land")}
    assert "area_ha '1e+26' has more than 10 digits" in reasons["LS-0000002"]
    assert "numeric(14, 4)" in reasons["LS-0000002"]
    assert "full_name is 316 characters long" in reasons["LS-0000003"]
    # Without a cadastre number the parcel is keyed by the lease id, which must fit too.
    assert (
        "cadastre is 49 characters long; the graph's parcel.cadastre holds at most 40"
        in (reasons["LS-" + "4" * 40])
    )
    assert count(hub, LandLease) == 1
    with hub.session() as session:
        area = session.scalar(select(Parcel.area_ha))
    assert float(area) == pytest.approx(0.1235)


def test_duplicate_keys_are_counted_per_delivery_and_the_later_record_loads(
    hub: HubDatabase, tmp_path: Path
) -> None:
    items = [appeal(1, topic="gas"), appeal(2), appeal(1, topic="water"), appeal(1)]
    run_files(hub, "appeals", jsonl_file(tmp_path / "appeals", "appeals_1.jsonl", items))
    delivery = only_delivery(hub, "appeals")
    assert delivery.duplicate_keys == 2
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (4, 4, 0)
    with hub.session() as session:
        rows = session.execute(select(Appeal.appeal_id, Appeal.topic)).all()
    topics = {key: topic for key, topic in rows}
    assert topics == {"AP-2022-0000001": "employment", "AP-2022-0000002": "employment"}
    # Engineers see the count where deliveries are shown.
    settings = HubSettings(database_url=hub.database_url, data_dir=tmp_path)
    with TestClient(create_app(settings), headers=key_headers(settings)) as client:
        answer = client.post(
            "/graphql",
            json={
                "query": '{ deliveries(source: "appeals") { edges { node { duplicateKeys } } } }'
            },
        ).json()
    assert answer["data"]["deliveries"]["edges"] == [{"node": {"duplicateKeys": 2}}]


def test_a_register_key_repeated_with_other_values_rejects_both_rows(
    hub: HubDatabase, tmp_path: Path
) -> None:
    rows = [
        mahalla_row(16),
        mahalla_row(17, mahalla_name="Bog‘ishamol MFY"),
        mahalla_row(18),
        mahalla_row(17, mahalla_name="Yangi hayot MFY"),
        mahalla_row(16),
    ]
    folder = registry_files(tmp_path / "registry-2", rows)
    (folder / "assistants.csv").unlink()
    run_files(hub, "registry", folder)
    delivery = [d for d in deliveries_of(hub, "registry") if d.status == "loaded"][-1]
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (5, 3, 2)
    assert delivery.duplicate_keys == 2
    rejects = rejects_of(hub, "registry")
    assert [(r.record_key, r.origin) for r in rejects] == [
        ("1703202017", "mahallas.csv:3"),
        ("1703202017", "mahallas.csv:5"),
    ]
    assert (
        "delivered with different values at mahallas.csv:3, mahallas.csv:5"
        in (rejects[0].reasons[0])
    )
    with hub.session() as session:
        codes = set(session.scalars(select(Mahalla.code)))
    assert codes == {"1703202015", "1703202016", "1703202018"}


@pytest.mark.parametrize("source", ["survey", "appeals"])
def test_a_byte_order_mark_opening_a_json_lines_file_is_dropped(
    hub: HubDatabase, tmp_path: Path, source: str
) -> None:
    build = household if source == "survey" else appeal
    folder = jsonl_file(tmp_path / source, f"{source}_1.jsonl", [build(1), build(2)], bom=True)
    run_files(hub, source, folder)
    delivery = only_delivery(hub, source)
    assert delivery.rejected == 0
    assert count(hub, Household if source == "survey" else Appeal) == 2


def test_a_byte_order_mark_is_dropped_from_the_register_and_an_api_body(
    graph_db, tmp_path: Path
) -> None:
    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(tmp_path / "landing"))
    run_files(hub, "registry", registry_files(tmp_path / "r", [mahalla_row(15)], bom=True))
    assert count(hub, Mahalla) == 1
    run_api(hub, OnePageAgency("tax", api_body("tax", [taxpayer(1)], bom=True)))
    assert only_delivery(hub, "tax").accepted == 1


@pytest.mark.parametrize(
    ("source", "folder_items", "reason"),
    [
        ("survey", [household(1), household(2, surveyed_on="1800-01-14")], "surveyed_on"),
        (
            "appeals",
            [appeal(1), appeal(2, received_at="1800-07-03T09:15:00+05:00")],
            "received_at",
        ),
        ("land", [lease(1), lease(2, start="1800-03-01")], "starts_on"),
    ],
)
def test_a_date_outside_its_plausible_range_is_a_reject(
    hub: HubDatabase, tmp_path: Path, source: str, folder_items: list[object], reason: str
) -> None:
    folder = tmp_path / source
    if source == "land":
        leases_file(folder, [str(x) for x in folder_items])
    else:
        jsonl_file(folder, f"{source}_1.jsonl", folder_items)
    run_files(hub, source, folder)
    only_delivery(hub, source)
    # A survey's members go to the quarantine with their household.
    [reject] = [r for r in rejects_of(hub, source) if "/" not in (r.record_key or "")]
    assert reject.rule == f"{reason}_implausible"
    assert f"{reason} '1800-" in reject.reasons[0]
    assert "outside its plausible range" in reject.reasons[0]


def test_rows_postgresql_refuses_reach_the_quarantine_from_the_connector_and_staging(
    hub: HubDatabase, tmp_path: Path
) -> None:
    long_key = "E2022-" + "9" * 94
    rows = [
        employment_row(1),
        employment_row(2, ФИО="Абдуллаев\x00 Акмал"),
        employment_row(3, ФИО="Абдуллаев\x00 Акмал", Статус="пенсионер"),
        employment_row(4, **{"Номер записи": long_key}),
        employment_row(5),
    ]
    run_files(hub, "employment", employment_file(tmp_path / "employment", rows))
    delivery = only_delivery(hub, "employment")
    assert (delivery.delivered, delivery.accepted, delivery.rejected) == (5, 2, 3)
    assert count(hub, EmploymentRecord) == 2
    found = {r.origin: r for r in rejects_of(hub, "employment")}
    assert "full_name contains a NUL character" in found["employment_2022-02.csv:3"].reasons[0]
    unreadable = found["employment_2022-02.csv:4"]
    assert unreadable.rule == "enum:Статус" and "\\x00" in unreadable.raw
    assert "\x00" not in unreadable.raw + unreadable.reasons[0]
    too_long = found["employment_2022-02.csv:5"]
    assert "record_key is 100 characters long" in too_long.reasons[0]
    assert too_long.record_key == long_key[:64]
    assert long_key in too_long.raw
