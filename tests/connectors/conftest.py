"""Fixtures of the connector tests: hand-built deliveries: good units, bad units, and source cases.

Each `SourceCase` knows how to turn a list of delivered units (CSV rows, JSON lines, lease
elements, API items) into a delivery of its source and read it, so the conformance suite can
run the same checks over all seven connectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from connectors.api_source import ApiDeliveryReading
from connectors.appeals import AppealsConnector
from connectors.bank import BankApiConnector
from connectors.employment import HEADER as EMPLOYMENT_HEADER
from connectors.employment import EmploymentConnector
from connectors.http_fetch import RetryPolicy
from connectors.land import LandConnector
from connectors.outcomes import DeliveryReading
from connectors.records import (
    AppealRecord,
    EmploymentRecord,
    LeaseRecord,
    LoanRecord,
    MahallaRecord,
    SurveyHousehold,
    TaxpayerRecord,
)
from connectors.registry import MAHALLA_COLUMNS, RegistryConnector
from connectors.survey import SurveyConnector
from connectors.tax import TaxApiConnector

NO_WAIT = RetryPolicy(max_attempts=4, sleep=lambda _: None, jitter=lambda: 0.0)
TAX_URL, BANK_URL = "https://tax.example", "https://bank.example"


# --- good units -------------------------------------------------------------------------


def mahalla_row(n: int, **changes: str) -> str:
    values = {
        "region_soato": "1703",
        "region_name": "Andijon viloyati",
        "district_soato": "1703202",
        "district_name": "Asaka tumani",
        "mahalla_code": f"1703202{n % 1000:03d}",
        "mahalla_name": f"Navbahor {n} MFY",
        "mahalla_stir": "207123456",
    } | changes
    return ",".join(values[c] for c in MAHALLA_COLUMNS)


def survey_item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "survey_id": f"SV-1703202015-{n:05d}",
        "mahalla_code": "1703202015",
        "assistant_id": "A-00042",
        "surveyed_on": "2022-01-14",
        "address": {"street": "Navoiy ko‘chasi", "house": "12", "apartment": None},
        "category": 3,
        "monthly_income_uzs": 2400000,
        "plot_sotix": 4.5,
        "needs": ["subsidy", "vocational_training"],
        "members": [
            {
                "member_no": 1,
                "full_name": "Abdullayev Akmal Baxtiyor o‘g‘li",
                "pinfl": "31503851234566",
                "birth_date": "1985-03-15",
                "sex": "M",
                "relation": "head",
                "occupation": "unemployed",
                "notebook": None,
            }
        ],
    } | changes


def employment_row(n: int, **changes: str) -> str:
    values = dict(
        zip(
            EMPLOYMENT_HEADER,
            [
                f"E2022-{n:07d}",
                "31503851234566",
                "Абдуллаев Акмал Бахтиёр угли",
                "15.03.1985",
                "М",
                "1703202015",
                "трудоустроен",
                "01.02.2022",
                "207654321",
                "",
            ],
            strict=True,
        )
    )
    values |= changes
    return ";".join(values[c] for c in EMPLOYMENT_HEADER)


def lease_xml(
    n: int, area: str = "0,12", purpose: str = "household_plot", start: str = "2022-03-01"
) -> str:
    return (
        f'<Lease id="LS-{n:07d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n:04d}" mahalla="1703202015" areaHa="{area}" '
        f'purpose="{purpose}" crop="tomato"/>'
        '<Lessee kind="person" pinfl="31503851234566" tin="" name="Abdullayev A. B."/>'
        f'<Term start="{start}" end="2027-02-28"/></Lease>'
    )


def tax_item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "tin": f"4{n:08d}",
        "pinfl": "31503851234566",
        "full_name": "ABDULLAYEV AKMAL BAXTIYOR O'G'LI",
        "birth_date": "1985-03-15",
        "regime": "self_employed",
        "activity_code": "47190",
        "registered_on": "2022-05-01",
        "closed_on": None,
        "declared_income_uzs": "12500000.00",
        "tax_year": 2022,
        "mahalla_code": "1703202015",
        "address": "Asaka t., Navoiy ko'ch. 12",
        "updated_at": f"2022-12-01T10:{n % 60:02d}:00+05:00",
    } | changes


def loan_item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "loan_id": f"00873-2022-{n:06d}",
        "bank_mfo": "00873",
        "kind": "loan",
        "program": "family_entrepreneurship",
        "borrower": {
            "pinfl": "31503851234566",
            "name": "ABDULLAEV A.B.",
            "birth_date": "15.03.1985",
            "passport": "AB1234567",
        },
        "amount_tiyin": 3000000000,
        "issued_on": f"2022-04-{1 + n % 28:02d}",
        "term_months": 36,
        "status": "active",
        "purpose": "greenhouse",
        "mahalla_code": "1703202015",
    } | changes


def appeal_item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "appeal_id": f"AP-2022-{n:07d}",
        "received_at": "2022-07-03T09:15:00+05:00",
        "channel": "assistant",
        "mahalla_code": "1703202015",
        "applicant": {
            "pinfl": "31503851234566",
            "full_name": "Abdullayev Akmal",
            "phone": "+998901234567",
        },
        "topic": "employment",
        "addressed_to": "district_khokimiyat",
        "status": "resolved",
        "resolved_at": "2022-07-10T16:00:00+05:00",
    } | changes


# --- whole deliveries ---------------------------------------------------------------------


def jsonl_bytes(items: list[Any]) -> bytes:
    return b"".join(orjson.dumps(item) + b"\n" for item in items)


def csv_bytes(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def employment_bytes(rows: list[str], encoding: str = "cp1251") -> bytes:
    return "".join(line + "\r\n" for line in [";".join(EMPLOYMENT_HEADER), *rows]).encode(encoding)


def leases_bytes(leases: list[str]) -> bytes:
    body = "\n  ".join(leases)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<LeaseExport generated="2022-12-01T00:00:00+05:00">\n  {body}\n</LeaseExport>\n'
    ).encode()


def paged_tax_transport(items: list[Any], page_size: int) -> httpx.MockTransport:
    """A tax API over `items` with tokens `t<index>` (the page starting at that index)."""

    def handle(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("page_token", "t0")[1:])
        end = start + page_size
        token = f"t{end}" if end < len(items) else None
        return httpx.Response(200, json={"items": items[start:end], "next_page_token": token})

    return httpx.MockTransport(handle)


def paged_bank_transport(items: list[Any]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        page = {
            "total": len(items),
            "offset": offset,
            "limit": limit,
            "data": items[offset : offset + limit],
        }
        return httpx.Response(200, json=page)

    return httpx.MockTransport(handle)


def tax_connector(
    transport: httpx.BaseTransport,
    page_size: int = 2,
    connector_type: type[TaxApiConnector] = TaxApiConnector,
    **kwargs: Any,
) -> TaxApiConnector:
    options: dict[str, Any] = {"retry": NO_WAIT} | kwargs
    return connector_type(
        TAX_URL, "secret-token", page_size=page_size, transport=transport, **options
    )


def bank_connector(
    transport: httpx.BaseTransport,
    page_size: int = 2,
    connector_type: type[BankApiConnector] = BankApiConnector,
    **kwargs: Any,
) -> BankApiConnector:
    options: dict[str, Any] = {"retry": NO_WAIT} | kwargs
    return connector_type(
        BANK_URL, "secret-key", page_size=page_size, transport=transport, **options
    )


# --- source cases for the conformance suite --------------------------------------------------


Reading = DeliveryReading[Any] | ApiDeliveryReading[Any, Any]


@dataclass
class FileSpec:
    """How a file source's units become one delivery file."""

    connector_type: Any
    file_name: str
    encode: Callable[[list[Any]], bytes]


@dataclass
class SourceCase:
    """One source: good units, broken units, and how to read a delivery made of units.

    File sources have a `file`; API sources a `connect(transport)` and a `serve(units)`
    that builds the fake API's transport.
    """

    source: str
    record_type: type
    good: Callable[[int], Any]
    broken: list[Any]
    file: FileSpec | None = None
    serve: Callable[[list[Any]], httpx.MockTransport] | None = None
    connect: Callable[[httpx.BaseTransport], Any] | None = None

    def reader(self, folder: Path, units: list[Any]) -> Callable[[], Reading]:
        """A function that opens a fresh reading of one delivery made of `units`."""
        if self.file is not None:
            (folder / self.file.file_name).write_bytes(self.file.encode(units))
            connector = self.file.connector_type(folder)
            [delivery] = connector.list_deliveries()
            return lambda: connector.read_delivery(delivery)
        assert self.serve is not None
        assert self.connect is not None
        api = self.connect(self.serve(units))
        return api.read_delivery  # type: ignore[no-any-return]


def _lines(lines: list[Any]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


MAHALLA_HEADER = ",".join(MAHALLA_COLUMNS)

CASES = [
    SourceCase(
        "registry",
        MahallaRecord,
        mahalla_row,
        [mahalla_row(7, district_soato="1703A02"), "1703,Andijon viloyati,1703202"],
        FileSpec(RegistryConnector, "mahallas.csv", lambda rows: csv_bytes(MAHALLA_HEADER, rows)),
    ),
    SourceCase(
        "survey",
        SurveyHousehold,
        lambda n: orjson.dumps(survey_item(n)).decode(),
        ['{"survey_id": "SV-9", "members": [', orjson.dumps(survey_item(8, category=7)).decode()],
        FileSpec(SurveyConnector, "survey_2022-01.jsonl", _lines),
    ),
    SourceCase(
        "tax",
        TaxpayerRecord,
        tax_item,
        [tax_item(90, declared_income_uzs="12,5 mln"), tax_item(91, regime="farmer")],
        serve=lambda units: paged_tax_transport(units, 2),
        connect=tax_connector,
    ),
    SourceCase(
        "employment",
        EmploymentRecord,
        employment_row,
        [employment_row(90, **{"Дата рождения": "31.02.1985"}), "E2022-0000091;;Фамилия"],
        FileSpec(EmploymentConnector, "employment_2022-02.csv", employment_bytes),
    ),
    SourceCase(
        "land",
        LeaseRecord,
        lease_xml,
        [lease_xml(90, area="abc"), lease_xml(91, purpose="vineyard")],
        FileSpec(LandConnector, "leases_2022-12-01.xml", leases_bytes),
    ),
    SourceCase(
        "bank",
        LoanRecord,
        loan_item,
        [loan_item(90, amount_tiyin="lots"), loan_item(91, borrower={"birth_date": "31.02.1985"})],
        serve=paged_bank_transport,
        connect=bank_connector,
    ),
    SourceCase(
        "appeals",
        AppealRecord,
        lambda n: orjson.dumps(appeal_item(n)).decode(),
        [orjson.dumps(appeal_item(90, channel="telegram")).decode(), '{"appeal_id": "AP-91"'],
        FileSpec(AppealsConnector, "appeals_2022-07.jsonl", _lines),
    ),
]


@pytest.fixture(params=CASES, ids=[case.source for case in CASES])
def case(request: pytest.FixtureRequest) -> SourceCase:
    return request.param  # type: ignore[no-any-return]


class Kit:
    """The builders above, handed to test modules by the `kit` fixture (pytest runs with
    --import-mode=importlib, so test modules cannot import this file)."""

    NO_WAIT = NO_WAIT
    TAX_URL = TAX_URL
    BANK_URL = BANK_URL
    mahalla_row = staticmethod(mahalla_row)
    survey_item = staticmethod(survey_item)
    employment_row = staticmethod(employment_row)
    lease_xml = staticmethod(lease_xml)
    tax_item = staticmethod(tax_item)
    loan_item = staticmethod(loan_item)
    appeal_item = staticmethod(appeal_item)
    jsonl_bytes = staticmethod(jsonl_bytes)
    csv_bytes = staticmethod(csv_bytes)
    employment_bytes = staticmethod(employment_bytes)
    leases_bytes = staticmethod(leases_bytes)
    paged_tax_transport = staticmethod(paged_tax_transport)
    paged_bank_transport = staticmethod(paged_bank_transport)
    tax_connector = staticmethod(tax_connector)
    bank_connector = staticmethod(bank_connector)


@pytest.fixture
def kit() -> Kit:
    return Kit()
