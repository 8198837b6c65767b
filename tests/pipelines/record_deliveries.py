"""Small hand-built deliveries of every source, and a run of them through land, stage, load.

Shared by the tests of record-level faults and by `benchmarks/fault_cases/records.py`, so
a bench case runs exactly what a test proves. Every builder writes contract-shaped bytes
itself; nothing here comes from the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from connectors.bank import BankApiConnector
from connectors.employment import HEADER as EMPLOYMENT_HEADER
from connectors.http_fetch import RetryPolicy
from connectors.registry import ASSISTANT_COLUMNS, MAHALLA_COLUMNS
from connectors.tax import TaxApiConnector
from hub.graph.models import Delivery, Reject
from pipelines.resources import FolderAgency, HubDatabase
from pipelines.steps.land import land_bank, land_files, land_tax
from pipelines.steps.load import load_pending
from pipelines.steps.stage import stage_pending

MAHALLA = "1703202015"
NO_WAIT = RetryPolicy(max_attempts=1, sleep=lambda _: None, jitter=lambda: 0.0)


def mahalla_row(n: int, **changes: str) -> dict[str, str]:
    return {
        "region_soato": "1703",
        "region_name": "Andijon viloyati",
        "district_soato": "1703202",
        "district_name": "Asaka tumani",
        "mahalla_code": f"1703202{n:03d}",
        "mahalla_name": f"Navbahor {n} MFY",
        "mahalla_stir": "207123456",
    } | changes


def registry_files(folder: Path, mahallas: Iterable[dict[str, str]], bom: bool = False) -> Path:
    """`mahallas.csv` with these rows, and one assistant for the first mahalla."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [",".join(MAHALLA_COLUMNS)] + [",".join(r[c] for c in MAHALLA_COLUMNS) for r in mahallas]
    prefix = b"\xef\xbb\xbf" if bom else b""
    (folder / "mahallas.csv").write_bytes(prefix + ("\n".join(rows) + "\n").encode())
    assistants = [
        ",".join(ASSISTANT_COLUMNS),
        f"A-00042,Karimov Jasur,+998901234567,{MAHALLA},2022-01-01",
    ]
    (folder / "assistants.csv").write_bytes(("\n".join(assistants) + "\n").encode())
    return folder


def employment_row(n: int, **changes: str) -> str:
    values = dict(
        zip(
            EMPLOYMENT_HEADER,
            [
                f"E2022-{n:07d}",
                "",
                "Абдуллаев Акмал Бахтиёр угли",
                "15.03.1985",
                "М",
                MAHALLA,
                "безработный",
                "01.02.2022",
                "",
                "Ishga marhamat monomarkazi",
            ],
            strict=True,
        )
    )
    return ";".join((values | changes)[c] for c in EMPLOYMENT_HEADER)


def employment_file(folder: Path, rows: list[str], name: str = "employment_2022-02.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [";".join(EMPLOYMENT_HEADER), *rows]
    (folder / name).write_bytes("".join(f"{line}\r\n" for line in lines).encode("cp1251"))
    return folder


def member(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "member_no": n,
        "full_name": f"Abdullayev Akmal{n} Baxtiyor o‘g‘li",
        "pinfl": None,
        "birth_date": "1985-03-15",
        "sex": "M",
        "relation": "head" if n == 1 else "child",
        "occupation": "unemployed",
        "notebook": None,
    } | changes


def household(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "survey_id": f"SV-{MAHALLA}-{n:05d}",
        "mahalla_code": MAHALLA,
        "assistant_id": "A-00042",
        "surveyed_on": "2022-01-14",
        "address": {"street": "Navoiy ko‘chasi", "house": str(n), "apartment": None},
        "category": 3,
        "monthly_income_uzs": 2400000,
        "plot_sotix": 4.5,
        "needs": ["subsidy"],
        "members": [member(1)],
    } | changes


def appeal(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "appeal_id": f"AP-2022-{n:07d}",
        "received_at": "2022-07-03T09:15:00+05:00",
        "channel": "assistant",
        "mahalla_code": MAHALLA,
        "applicant": {"pinfl": None, "full_name": f"Abdullayev Akmal{n}", "phone": None},
        "topic": "employment",
        "addressed_to": "district_khokimiyat",
        "status": "received",
        "resolved_at": None,
    } | changes


def jsonl_file(folder: Path, name: str, items: list[Any], bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # The standard library writes integers of any size, as a careless exporter may.
    body = b"".join(json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items)
    (folder / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + body)
    return folder


def lease(
    n: int, area: str = "0,12", start: str = "2022-03-01", name: str = "Abdullayev A."
) -> str:
    return (
        f'<Lease id="LS-{n:07d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n:04d}" mahalla="{MAHALLA}" areaHa="{area}" '
        'purpose="household_plot" crop="tomato"/>'
        f'<Lessee kind="person" pinfl="" tin="" name="{name}"/>'
        f'<Term start="{start}" end="2027-02-28"/></Lease>'
    )


def leases_file(folder: Path, leases: list[str], name: str = "leases_2022-12-01.xml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n  ".join(leases)
    (folder / name).write_bytes(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<LeaseExport generated="2022-12-01T00:00:00+05:00">\n  {body}\n</LeaseExport>\n'
        ).encode()
    )
    return folder


def taxpayer(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "tin": f"4{n:08d}",
        "pinfl": None,
        "full_name": f"ABDULLAYEV AKMAL{n} BAXTIYOR O'G'LI",
        "birth_date": "1985-03-15",
        "regime": "self_employed",
        "activity_code": "47190",
        "registered_on": "2022-05-01",
        "closed_on": None,
        "declared_income_uzs": "12500000.00",
        "tax_year": 2022,
        "mahalla_code": MAHALLA,
        "address": "Asaka t., Navoiy ko'ch. 12",
        "updated_at": f"2022-12-01T10:{n % 60:02d}:00+05:00",
    } | changes


def loan(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "loan_id": f"00873-2022-{n:06d}",
        "bank_mfo": "00873",
        "kind": "loan",
        "program": "family_entrepreneurship",
        "borrower": {"pinfl": None, "name": f"ABDULLAEV{n} A.B.", "birth_date": None},
        "amount_tiyin": 3000000000,
        "issued_on": "2022-04-11",
        "term_months": 36,
        "status": "active",
        "purpose": "greenhouse",
        "mahalla_code": MAHALLA,
    } | changes


def api_body(source: str, items: list[Any], bom: bool = False) -> bytes:
    """One page holding every item, in the source's envelope."""
    if source == "tax":
        page: dict[str, Any] = {"items": items, "next_page_token": None}
    else:
        page = {"total": len(items), "offset": 0, "limit": 500, "data": items}
    return (b"\xef\xbb\xbf" if bom else b"") + json.dumps(page).encode()


@dataclass
class OnePageAgency:
    """An agency resource whose API answers one page with `body` (no network)."""

    source: str
    body: bytes

    def _transport(self) -> httpx.MockTransport:
        content = self.body
        return httpx.MockTransport(lambda _: httpx.Response(200, content=content))

    def connector(self) -> Any:
        if self.source == "tax":
            return TaxApiConnector(
                "https://tax.example", "t", retry=NO_WAIT, transport=self._transport()
            )
        return BankApiConnector(
            "https://bank.example", "k", retry=NO_WAIT, transport=self._transport()
        )

    def issued_from(self, cursor: Any) -> Any:
        return None


def run_files(hub: HubDatabase, source: str, folder: Path) -> None:
    """Land, stage and load every new file of `folder` as a scheduled run would."""
    land_files(hub, FolderAgency(folder=str(folder), settle_seconds=0), source, None)
    stage_pending(hub, source)
    load_pending(hub, source)


def run_api(hub: HubDatabase, agency: OnePageAgency) -> None:
    if agency.source == "tax":
        land_tax(hub, agency, None)  # type: ignore[arg-type]
    else:
        land_bank(hub, agency, None)  # type: ignore[arg-type]
    stage_pending(hub, agency.source)
    load_pending(hub, agency.source)


def deliveries_of(hub: HubDatabase, source: str) -> list[Delivery]:
    with hub.session() as session:
        found = list(session.scalars(select(Delivery).where(Delivery.source == source)))
        session.expunge_all()
    return found


def rejects_of(hub: HubDatabase, source: str) -> list[Reject]:
    with hub.session() as session:
        found = list(
            session.scalars(select(Reject).where(Reject.source == source).order_by(Reject.id))
        )
        session.expunge_all()
    return found


def registered_hub(database_url: str, folder: Path) -> HubDatabase:
    """A hub on `database_url`, its landing store under `folder`, with a register that knows
    the mahalla the deliveries of this module use."""
    hub = HubDatabase(database_url=database_url, landing_dir=str(folder / "landing"))
    run_files(hub, "registry", registry_files(folder / "registry", [mahalla_row(15)]))
    return hub
