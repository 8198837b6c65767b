"""Record-level faults (issue 14, items 1, 2, 6, 13, 14, 15): what one bad record does.

Each case writes a small register and one faulty delivery under its work folder, runs
land, stage and load on a SQLite graph there (`pipelines.steps`, as a scheduled run does)
and reports the delivery counted by its units: CSV rows and JSON lines counted in the
written bytes, households for the survey (a member's reject travels with its household's
line), API items as sent. `FAULT_CASES_SCALE` (default 1) multiplies the good records
around the faulty ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from connectors.bank import BankApiConnector
from connectors.employment import HEADER as EMPLOYMENT_HEADER
from connectors.http_fetch import RetryPolicy
from connectors.tax import TaxApiConnector
from hub.graph.models import Delivery, Household, Reject
from pipelines.resources import HubDatabase
from pipelines.steps.land import land_bank, land_tax
from pipelines.steps.load import load_pending
from pipelines.steps.stage import stage_pending

from . import FaultCase, FaultOutcome
from .small_hub import registered_hub, run_files, scale

MAHALLA = "1703202015"
BOM = b"\xef\xbb\xbf"


def _good(base: int) -> int:
    return max(base, round(base * scale()))


def _mahalla(n: int, name: str | None = None) -> str:
    code = f"1703202{n:03d}"
    values = ["1703", "Andijon viloyati", "1703202", "Asaka tumani", code]
    return ",".join([*values, name or f"Navbahor {n} MFY", "207123456"])


def _outcome(hub: HubDatabase, name: str, physical: int, note: str) -> FaultOutcome:
    with hub.session() as session:
        d = session.scalars(select(Delivery).where(Delivery.name == name)).one()
        session.expunge(d)
    extra = f"; {d.duplicate_keys} duplicate keys" if d.duplicate_keys else ""
    return FaultOutcome(physical, d.accepted, d.rejected, f"{d.status}{extra}; {note}")


def _survey_outcome(hub: HubDatabase, physical: int, note: str) -> FaultOutcome:
    """Households accepted and rejected (members travel inside their household's line)."""
    with hub.session() as session:
        households = session.scalar(select(func.count()).select_from(Household)) or 0
        reasons = session.scalars(select(Reject.reasons).where(Reject.source == "survey")).all()
        rejected = session.scalar(
            select(func.count()).where(Reject.source == "survey", ~Reject.record_key.contains("/"))
        )
    first = reasons[0][0][:90] if reasons else "no reject"
    return FaultOutcome(physical, households, rejected or 0, f"{note}: {first}")


def _jsonl(folder: Path, name: str, items: list[Any], prefix: bytes = b"") -> int:
    folder.mkdir(exist_ok=True)
    body = b"".join(json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items)
    (folder / name).write_bytes(prefix + body)
    return len(items)


def _household(n: int, **changes: Any) -> dict[str, Any]:
    member = {
        "member_no": 1,
        "full_name": f"Abdullayev Akmal{n} Baxtiyor o‘g‘li",
        "pinfl": None,
        "birth_date": "1985-03-15",
        "sex": "M",
        "relation": "head",
        "occupation": "unemployed",
        "notebook": None,
    }
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
        "members": [member | changes.pop("member", {})],
    } | changes


def _survey_case(
    faults: list[dict[str, Any]], note: str, prefix: bytes = b""
) -> Callable[[Path], FaultOutcome]:
    def run(workdir: Path) -> FaultOutcome:
        hub = registered_hub(workdir, [_mahalla(15)])
        good = [_household(n) for n in range(1, _good(50) + 1)]
        faulty = [_household(len(good) + 1 + i, **f) for i, f in enumerate(faults)]
        physical = _jsonl(
            workdir / "survey", "survey_1.jsonl", good[:2] + faulty + good[2:], prefix
        )
        run_files(hub, "survey", workdir / "survey")
        return _survey_outcome(hub, physical, note)

    return run


def _unclosed_quote(workdir: Path) -> FaultOutcome:
    hub = registered_hub(workdir, [_mahalla(15)])
    rows = []
    for n in range(1, _good(51) + 1):
        referral = '"Ishga marhamat' if n == 3 else "Ishga marhamat monomarkazi"
        values = [f"E2022-{n:07d}", "", "Абдуллаев Акмал", "15.03.1985", "М", MAHALLA]
        rows.append(";".join([*values, "безработный", "01.02.2022", "", referral]))
    folder = workdir / "employment"
    folder.mkdir()
    text = "".join(f"{line}\r\n" for line in [";".join(EMPLOYMENT_HEADER), *rows])
    (folder / "employment_2022-02.csv").write_bytes(text.encode("cp1251"))
    run_files(hub, "employment", folder)
    return _outcome(hub, "employment_2022-02.csv", len(rows), "row 3 rejected, the rest loaded")


def _api_case(source: str, fault: dict[str, Any]) -> Callable[[Path], FaultOutcome]:
    def run(workdir: Path) -> FaultOutcome:
        hub = registered_hub(workdir, [_mahalla(15)])
        items = [_api_item(source, n) for n in range(1, _good(50) + 1)]
        items.insert(2, _api_item(source, len(items) + 1) | fault)
        if source == "tax":
            page: dict[str, Any] = {"items": items, "next_page_token": None}
        else:
            page = {"total": len(items), "offset": 0, "limit": 500, "data": items}
        agency = _OnePage(source, json.dumps(page).encode())
        land = land_tax if source == "tax" else land_bank
        land(hub, agency, None)  # type: ignore[operator]
        stage_pending(hub, source)
        load_pending(hub, source)
        name = "tax full" if source == "tax" else "bank full"
        return _outcome(hub, name, len(items), f"{sorted(fault)[0]} out of range rejected")

    return run


def _api_item(source: str, n: int) -> dict[str, Any]:
    if source == "tax":
        return {
            "tin": f"4{n:08d}",
            "full_name": f"ABDULLAYEV AKMAL{n}",
            "regime": "self_employed",
            "registered_on": "2022-05-01",
            "declared_income_uzs": "12500000.00",
            "tax_year": 2022,
            "mahalla_code": MAHALLA,
            "updated_at": f"2022-12-01T10:{n % 60:02d}:00+05:00",
        }
    return {
        "loan_id": f"00873-2022-{n:06d}",
        "bank_mfo": "00873",
        "kind": "loan",
        "program": "microloan",
        "borrower": {"name": f"ABDULLAEV{n} A.B."},
        "amount_tiyin": 3000000000,
        "issued_on": "2022-04-11",
        "status": "active",
        "mahalla_code": MAHALLA,
    }


class _OnePage:
    """An agency whose API answers every request with one page (no network)."""

    def __init__(self, source: str, body: bytes) -> None:
        self.source, self.body = source, body

    def connector(self) -> TaxApiConnector | BankApiConnector:
        body = self.body
        transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
        retry = RetryPolicy(max_attempts=1)
        if self.source == "tax":
            return TaxApiConnector("https://tax.example", "t", retry=retry, transport=transport)
        return BankApiConnector("https://bank.example", "k", retry=retry, transport=transport)

    def issued_from(self, cursor: object) -> None:
        return None


def _lease(n: int, area: str = "0,12", start: str = "2022-03-01") -> str:
    return (
        f'<Lease id="LS-{n:07d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n:04d}" mahalla="{MAHALLA}" areaHa="{area}" '
        'purpose="household_plot" crop=""/><Lessee kind="person" pinfl="" tin="" '
        f'name="Abdullayev A."/><Term start="{start}" end="2027-02-28"/></Lease>'
    )


def _land_case(faults: list[dict[str, str]], note: str) -> Callable[[Path], FaultOutcome]:
    def run(workdir: Path) -> FaultOutcome:
        hub = registered_hub(workdir, [_mahalla(15)])
        leases = [_lease(n) for n in range(1, _good(50) + 1)]
        leases += [_lease(len(leases) + 1 + i, **f) for i, f in enumerate(faults)]
        folder = workdir / "land"
        folder.mkdir()
        body = "\n".join(leases)
        (folder / "leases_2022-12-01.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<LeaseExport>\n{body}\n</LeaseExport>\n'
        )
        run_files(hub, "land", folder)
        return _outcome(hub, "leases_2022-12-01.xml", len(leases), note)

    return run


def _appeal(n: int = 10**6, **changes: Any) -> dict[str, Any]:
    return {
        "appeal_id": f"AP-2022-{n:07d}",
        "received_at": "2022-07-03T09:15:00+05:00",
        "channel": "assistant",
        "mahalla_code": MAHALLA,
        "applicant": None,
        "topic": "employment",
        "status": "received",
    } | changes


def _appeals_case(faults: list[dict[str, Any]], note: str) -> Callable[[Path], FaultOutcome]:
    def run(workdir: Path) -> FaultOutcome:
        hub = registered_hub(workdir, [_mahalla(15)])
        items = [_appeal(n) for n in range(1, _good(50) + 1)] + [_appeal(**f) for f in faults]
        physical = _jsonl(workdir / "appeals", "appeals_1.jsonl", items)
        run_files(hub, "appeals", workdir / "appeals")
        return _outcome(hub, "appeals_1.jsonl", physical, note)

    return run


def _register_conflict(workdir: Path) -> FaultOutcome:
    # Mahalla numbers have three digits: at most 885 good rows beside the conflicting 900.
    rows = [_mahalla(n) for n in range(15, 15 + min(_good(20), 885))]
    rows += [_mahalla(900, "Bog‘ishamol MFY"), _mahalla(900, "Yangi hayot MFY"), _mahalla(15)]
    hub = registered_hub(workdir, rows)
    return _outcome(hub, "mahallas.csv", len(rows), "both rows of the conflicting key rejected")


_LONG_STREET = {"street": "Navoiy " * 45 + "x", "house": "1", "apartment": None}

CASES: list[FaultCase] = [
    FaultCase("employment_unclosed_quote", 1, "employment", _unclosed_quote),
    FaultCase(
        "survey_int_2pow63",
        2,
        "survey",
        _survey_case(
            [{"monthly_income_uzs": 2**63}, {"member": {"member_no": 2**63 - 1}}],
            "out of range rejected",
        ),
    ),
    FaultCase("tax_tax_year_2pow63", 2, "tax", _api_case("tax", {"tax_year": 2**63})),
    FaultCase("bank_amount_tiyin_2pow63", 2, "bank", _api_case("bank", {"amount_tiyin": 2**63})),
    FaultCase(
        "survey_nul_name_long_street",
        6,
        "survey",
        _survey_case(
            [{"address": _LONG_STREET}, {"member": {"full_name": "Abdullayev\u0000 Akmal"}}],
            "street rejected; the NUL name's member rejected, its household loaded",
        ),
    ),
    FaultCase(
        "land_area_1e26_ha",
        6,
        "land",
        _land_case([{"area": "1" + "0" * 26 + ",5"}], "area beyond numeric(14, 4) rejected"),
    ),
    FaultCase(
        "appeals_duplicate_keys",
        13,
        "appeals",
        _appeals_case([{"n": 1, "topic": "gas"}, {"n": 2, "topic": "water"}], "later ones load"),
    ),
    FaultCase("registry_key_two_values", 13, "registry", _register_conflict),
    FaultCase("survey_bom", 14, "survey", _survey_case([], "first household loaded", BOM)),
    FaultCase(
        "survey_in_1800", 15, "survey", _survey_case([{"surveyed_on": "1800-01-14"}], "rejected")
    ),
    FaultCase(
        "land_lease_from_1800",
        15,
        "land",
        _land_case([{"start": "1800-03-01"}], "starts_on rejected"),
    ),
    FaultCase(
        "appeals_received_in_1800",
        15,
        "appeals",
        _appeals_case([{"received_at": "1800-07-03T09:15:00+05:00"}], "received_at rejected"),
    ),
]
