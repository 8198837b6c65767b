"""Bad inputs of the file sources: encodings, truncation, headers, columns, values, empties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from connectors.appeals import AppealsConnector
from connectors.employment import EmploymentConnector
from connectors.errors import ConfigurationError, DeliveryFormatError
from connectors.fields import FieldError, iso_date, soums_to_tiyin
from connectors.file_source import EMPTY_FILE_WARNING
from connectors.outcomes import Reject
from connectors.records import AssistantRecord, EmploymentRecord, SurveyHousehold
from connectors.registry import MAHALLA_COLUMNS, RegistryConnector
from connectors.survey import SurveyConnector
from connectors.vocabulary import EmploymentStatus, Need, Sex

if TYPE_CHECKING:
    from conftest import Kit


def _read(connector: Any, name: str) -> tuple[list[Any], list[Reject], Any]:
    reading = connector.read_delivery(connector.folder / name)
    items = list(reading)
    records = [x for x in items if not isinstance(x, Reject)]
    return records, [x for x in items if isinstance(x, Reject)], reading.stats


def test_employment_maps_russian_status_and_sex_to_english_codes(tmp_path: Path, kit: Kit) -> None:
    rows = [
        kit.employment_row(1),
        kit.employment_row(2, Статус="общественные работы", Пол="Ж", **{"ИНН работодателя": ""}),
    ]
    (tmp_path / "employment_2022-02.csv").write_bytes(kit.employment_bytes(rows))
    records, rejects, _ = _read(EmploymentConnector(tmp_path), "employment_2022-02.csv")
    assert not rejects
    first, second = records
    assert isinstance(first, EmploymentRecord)
    assert (first.status, first.sex, first.birth_date) == (
        EmploymentStatus.EMPLOYED,
        Sex.MALE,
        date(1985, 3, 15),
    )
    assert first.full_name == "Абдуллаев Акмал Бахтиёр угли"
    assert (second.status, second.sex, second.employer_tin) == (
        EmploymentStatus.PUBLIC_WORKS,
        Sex.FEMALE,
        None,
    )


def test_employment_file_in_utf8_is_a_fatal_format_error(tmp_path: Path, kit: Kit) -> None:
    data = kit.employment_bytes([kit.employment_row(1)], encoding="utf-8")
    (tmp_path / "employment_2022-02.csv").write_bytes(data)
    connector = EmploymentConnector(tmp_path)
    with pytest.raises(DeliveryFormatError, match=r"UTF-8.*Windows-1251"):
        list(connector.read_delivery(tmp_path / "employment_2022-02.csv"))


def test_employment_header_mismatch_names_expected_and_found_columns(
    tmp_path: Path, kit: Kit
) -> None:
    data = kit.employment_bytes([kit.employment_row(1)]).replace(
        "Пол".encode("cp1251"), "Sex".encode("cp1251"), 1
    )
    (tmp_path / "employment_2022-02.csv").write_bytes(data)
    with pytest.raises(DeliveryFormatError) as caught:
        list(EmploymentConnector(tmp_path).read_delivery(tmp_path / "employment_2022-02.csv"))
    message = str(caught.value)
    assert "expected columns" in message
    assert "'Пол'" in message
    assert "'Sex'" in message
    assert caught.value.source == "employment"


def test_employment_utf8_line_inside_a_cp1251_file_is_rejected(tmp_path: Path, kit: Kit) -> None:
    good = kit.employment_bytes([kit.employment_row(1)])
    utf8_line = (kit.employment_row(2) + "\r\n").encode("utf-8")
    (tmp_path / "employment_2022-02.csv").write_bytes(good + utf8_line)
    records, rejects, stats = _read(EmploymentConnector(tmp_path), "employment_2022-02.csv")
    assert len(records) == 1
    [reject] = rejects
    assert "UTF-8" in reject.reason
    assert reject.record_key == "E2022-0000002"
    assert stats.delivered == 2


def test_employment_truncated_last_line_is_rejected_as_truncated(tmp_path: Path, kit: Kit) -> None:
    data = kit.employment_bytes([kit.employment_row(1), kit.employment_row(2)])
    (tmp_path / "employment_2022-02.csv").write_bytes(data[:-40])
    records, rejects, _ = _read(EmploymentConnector(tmp_path), "employment_2022-02.csv")
    assert len(records) == 1
    [reject] = rejects
    assert "truncated" in reject.reason
    assert "columns" in reject.reason


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"Дата статуса": "2022-02-01"},
            "Дата статуса '2022-02-01' is not a valid dd.mm.yyyy date",
        ),
        ({"Дата рождения": "31.02.1985"}, "Дата рождения '31.02.1985' is not a valid dd.mm.yyyy"),
        ({"Статус": "пенсионер"}, "Статус 'пенсионер' is not one of the allowed values"),
        ({"Пол": "X"}, "Пол 'X' is not one of the allowed values: М, Ж"),
        ({"ФИО": " "}, "ФИО is missing"),
    ],
)
def test_employment_bad_values_are_rejected_with_a_reason(
    tmp_path: Path, kit: Kit, changes: dict[str, str], expected: str
) -> None:
    data = kit.employment_bytes([kit.employment_row(1, **changes)])
    (tmp_path / "employment_2022-02.csv").write_bytes(data)
    _, [reject], _ = _read(EmploymentConnector(tmp_path), "employment_2022-02.csv")
    assert expected in reject.reason


def test_employment_deliveries_are_listed_by_month_and_other_files_ignored(
    tmp_path: Path, kit: Kit
) -> None:
    for name in [
        "employment_2022-11.csv",
        "employment_2022-02.csv",
        "notes.csv",
        "employment_x.csv",
    ]:
        (tmp_path / name).write_bytes(kit.employment_bytes([]))
    names = [d.name for d in EmploymentConnector(tmp_path).list_deliveries()]
    assert names == ["employment_2022-02.csv", "employment_2022-11.csv"]


@pytest.mark.parametrize(
    ("connector_type", "name"),
    [
        (EmploymentConnector, "employment_2022-02.csv"),
        (RegistryConnector, "mahallas.csv"),
        (SurveyConnector, "survey_1.jsonl"),
        (AppealsConnector, "appeals_1.jsonl"),
    ],
)
def test_empty_file_gives_zero_records_and_a_warning(
    tmp_path: Path, connector_type: Any, name: str
) -> None:
    (tmp_path / name).write_bytes(b"")
    reading = connector_type(tmp_path).read_delivery(tmp_path / name)
    assert list(reading) == []
    assert reading.stats.warnings == [EMPTY_FILE_WARNING]
    assert reading.stats.completed
    assert reading.stats.delivered == 0


def test_registry_wrong_column_count_is_rejected(tmp_path: Path, kit: Kit) -> None:
    rows = [kit.mahalla_row(1), kit.mahalla_row(2) + ",extra"]
    (tmp_path / "mahallas.csv").write_bytes(kit.csv_bytes(",".join(MAHALLA_COLUMNS), rows))
    records, [reject], _ = _read(RegistryConnector(tmp_path), "mahallas.csv")
    assert len(records) == 1
    assert reject.reason == "the row has 8 columns, the header has 7"
    assert reject.origin == "mahallas.csv:3"


def test_registry_header_without_a_contract_column_is_fatal(tmp_path: Path, kit: Kit) -> None:
    header = ",".join(MAHALLA_COLUMNS).replace("mahalla_stir", "stir")
    (tmp_path / "mahallas.csv").write_bytes(kit.csv_bytes(header, [kit.mahalla_row(1)]))
    with pytest.raises(DeliveryFormatError, match=r"missing \['mahalla_stir'\]"):
        list(RegistryConnector(tmp_path).read_delivery(tmp_path / "mahallas.csv"))


def test_registry_reads_assistants_and_lists_mahallas_first(tmp_path: Path, kit: Kit) -> None:
    header = "assistant_id,full_name,phone,mahalla_code,appointed_on"
    rows = [
        "A-00042,Karimov Jasur Anvar o‘g‘li,+998901234567,1703202015,2022-01-01",
        "A-00043,Aliyeva Nodira,,1703202016,2022-13-01",
    ]
    (tmp_path / "assistants.csv").write_bytes(b"\xef\xbb\xbf" + kit.csv_bytes(header, rows))
    (tmp_path / "mahallas.csv").write_bytes(kit.csv_bytes(",".join(MAHALLA_COLUMNS), []))
    connector = RegistryConnector(tmp_path)
    assert [d.name for d in connector.list_deliveries()] == ["mahallas.csv", "assistants.csv"]
    [record], [reject], _ = _read(connector, "assistants.csv")
    assert isinstance(record, AssistantRecord)
    assert record.appointed_on == date(2022, 1, 1)
    assert reject.reason == "appointed_on '2022-13-01' is not a valid YYYY-MM-DD date"


def test_registry_cp1251_line_where_utf8_is_expected_is_rejected(tmp_path: Path, kit: Kit) -> None:
    header = ",".join(MAHALLA_COLUMNS).encode() + b"\n"
    bad = kit.mahalla_row(2, mahalla_name="Навбахор").encode("cp1251") + b"\n"
    (tmp_path / "mahallas.csv").write_bytes(header + kit.mahalla_row(1).encode() + b"\n" + bad)
    records, [reject], _ = _read(RegistryConnector(tmp_path), "mahallas.csv")
    assert len(records) == 1
    assert "not valid UTF-8" in reject.reason
    assert reject.record_key == "1703202002"


def test_survey_parses_members_needs_and_money(tmp_path: Path, kit: Kit) -> None:
    (tmp_path / "survey_1.jsonl").write_bytes(kit.jsonl_bytes([kit.survey_item(1)]))
    [household], _, _ = _read(SurveyConnector(tmp_path), "survey_1.jsonl")
    assert isinstance(household, SurveyHousehold)
    assert household.plot_sotix == Decimal("4.5")
    assert household.needs == (Need.SUBSIDY, Need.VOCATIONAL_TRAINING)
    [member] = household.members
    assert member.record_key == "SV-1703202015-00001/1"
    assert member.birth_date == date(1985, 3, 15)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"surveyed_on": None}, "surveyed_on is missing"),
        ({"category": 5}, "category 5 is not in 1..4"),
        ({"monthly_income_uzs": "2 400 000"}, "monthly_income_uzs '2 400 000' is not an integer"),
        ({"needs": ["money"]}, "needs[] 'money' is not one of the allowed values"),
    ],
)
def test_survey_bad_household_fields_are_rejected(
    tmp_path: Path, kit: Kit, changes: dict[str, Any], expected: str
) -> None:
    (tmp_path / "survey_1.jsonl").write_bytes(kit.jsonl_bytes([kit.survey_item(1, **changes)]))
    _, [reject], _ = _read(SurveyConnector(tmp_path), "survey_1.jsonl")
    assert expected in reject.reason
    assert reject.record_key == "SV-1703202015-00001"


def test_survey_household_with_a_broken_member_is_rejected_naming_the_member(
    tmp_path: Path, kit: Kit
) -> None:
    item = kit.survey_item(1)
    item["members"].append(dict(item["members"][0], member_no=2, birth_date="1985-02-30"))
    (tmp_path / "survey_1.jsonl").write_bytes(kit.jsonl_bytes([item]))
    _, [reject], _ = _read(SurveyConnector(tmp_path), "survey_1.jsonl")
    assert reject.reason == ("members[1]: birth_date '1985-02-30' is not a valid YYYY-MM-DD date")


def test_survey_truncated_last_line_and_cp1251_line_are_rejected(tmp_path: Path, kit: Kit) -> None:
    good = kit.jsonl_bytes([kit.survey_item(1)])
    cp1251 = orjson.dumps(kit.survey_item(2)).decode().replace("Navoiy", "Навои").encode("cp1251")
    cut = kit.jsonl_bytes([kit.survey_item(3)])[:-30]
    (tmp_path / "survey_1.jsonl").write_bytes(good + cp1251 + b"\n" + cut)
    records, rejects, stats = _read(SurveyConnector(tmp_path), "survey_1.jsonl")
    assert len(records) == 1
    assert stats.delivered == 3
    encoding, truncated = rejects
    assert "not valid UTF-8" in encoding.reason
    assert "Windows-1251" in encoding.reason
    assert "truncated" in truncated.reason
    assert truncated.origin == "survey_1.jsonl:3"


def test_appeals_anonymous_applicant_is_accepted_and_bad_time_rejected(
    tmp_path: Path, kit: Kit
) -> None:
    items = [
        kit.appeal_item(1, applicant=None),
        kit.appeal_item(2, received_at="2022-07-03T09:15:00"),
    ]
    (tmp_path / "appeals_1.jsonl").write_bytes(kit.jsonl_bytes(items))
    [record], [reject], _ = _read(AppealsConnector(tmp_path), "appeals_1.jsonl")
    assert record.applicant_pinfl is None
    assert record.received_at.utcoffset().total_seconds() == 18000
    assert "has no UTC offset" in reject.reason


def test_folder_comes_from_the_environment_variable(tmp_path: Path) -> None:
    connector = SurveyConnector(environ={"HUB_SURVEY_DIR": str(tmp_path)})
    assert connector.folder == tmp_path
    with pytest.raises(ConfigurationError, match="HUB_SURVEY_DIR is not set") as caught:
        SurveyConnector(environ={})
    assert caught.value.variable == "HUB_SURVEY_DIR"
    with pytest.raises(ConfigurationError, match="HUB_APPEALS_DIR"):
        AppealsConnector(environ={"HUB_APPEALS_DIR": str(tmp_path / "missing")})


@pytest.mark.parametrize("value", ["2022-W01-1", "20220101", "2022-1-01", "2022-02-30"])
def test_only_calendar_iso_dates_are_accepted(value: str) -> None:
    with pytest.raises(FieldError, match="is not a valid YYYY-MM-DD date"):
        iso_date("surveyed_on", value)


@pytest.mark.parametrize(
    ("value", "tiyin"), [("12500000.00", 1_250_000_000), ("0", 0), ("1.5", 150)]
)
def test_soum_strings_become_whole_tiyin(value: str, tiyin: int) -> None:
    assert soums_to_tiyin("declared_income_uzs", value) == tiyin


@pytest.mark.parametrize("value", ["1.005", "-1.00", "NaN", "12,50", ""])
def test_bad_soum_strings_are_refused(value: str) -> None:
    with pytest.raises(FieldError, match="declared_income_uzs"):
        soums_to_tiyin("declared_income_uzs", value)


def test_an_employment_row_without_a_birth_date_is_a_record_to_link_not_a_reject(
    tmp_path: Path, kit: Kit
) -> None:
    data = kit.employment_bytes([kit.employment_row(1, **{"Дата рождения": ""})])
    (tmp_path / "employment_2022-02.csv").write_bytes(data)
    [record], rejects, _ = _read(EmploymentConnector(tmp_path), "employment_2022-02.csv")
    assert rejects == []
    assert record.birth_date is None and record.full_name == "Абдуллаев Акмал Бахтиёр угли"
