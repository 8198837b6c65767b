"""Issue 14, items 3, 4, 5 and 7: deliveries that would end every lease, files taken while
still being written, a file no row of which can be read, and one bad API item.

Each case writes its own bytes into its folder and runs the pipelines' steps on a small
SQLite hub (`small_hub`). `delivered` counts what the delivered bytes hold (lease elements,
lines, items), independently of the hub's readers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from connectors.employment import HEADER as EMPLOYMENT_HEADER
from connectors.http_fetch import RetryPolicy
from connectors.tax import TaxApiConnector
from fault_cases import FaultCase, FaultOutcome
from fault_cases.small_hub import ASSISTANT, MAHALLA, SmallHub, scaled
from pipelines.quality.validate import validate_table
from pipelines.steps.land import land_tax
from pipelines.steps.load import load_pending
from pipelines.steps.stage import stage_pending, staged_frames

AN_HOUR = 3600.0


def _lease(n: int) -> str:
    return (
        f'<Lease id="LS-{n:07d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n:06d}" mahalla="{MAHALLA}" areaHa="0,12" '
        'purpose="household_plot" crop=""/>'
        f'<Lessee kind="person" pinfl="" tin="" name="Lessee {n}"/>'
        '<Term start="2022-03-01" end="2027-02-28"/></Lease>'
    )


def _snapshot(count: int) -> bytes:
    body = "".join(f"\n  {_lease(n)}" for n in range(1, count + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<LeaseExport generated="2022-12-01T00:00:00+05:00">{body}\n</LeaseExport>\n'
    ).encode()


def _leases_in(data: bytes) -> int:
    return data.count(b"<Lease ")


def _held_snapshot(workdir: Path, second: bytes) -> FaultOutcome:
    small = SmallHub.create(workdir)
    first = _snapshot(scaled(12))
    (small.folder("land") / "leases_2022-11-01.xml").write_bytes(first)
    small.run_files("land")
    before = small.current_leases()
    (small.folder("land") / "leases_2022-12-01.xml").write_bytes(second)
    _, loaded = small.run_files("land")
    small.run_files("land")  # a rerun changes nothing
    counts = small.counts("land")
    note = (
        f"{','.join(small.statuses('land'))}; held {len(loaded.held)}; "
        f"current leases {before} -> {small.current_leases()}"
    )
    return FaultOutcome(
        _leases_in(first) + _leases_in(second), counts.accepted, counts.rejected, note
    )


def land_empty_file(workdir: Path) -> FaultOutcome:
    return _held_snapshot(workdir, b"")


def land_snapshot_without_leases(workdir: Path) -> FaultOutcome:
    return _held_snapshot(workdir, _snapshot(0))


def land_partial_then_complete(workdir: Path) -> FaultOutcome:
    """The agency stalls half-way (longer than the settle time), then finishes the file."""
    small = SmallHub.create(workdir)
    whole = _snapshot(scaled(12))
    path = small.folder("land") / "leases_2022-12-01.xml"
    partial = whole[: len(whole) * 2 // 3]
    path.write_bytes(partial)
    small.run_files("land")
    tail_open = small.open_rejects("land")
    path.write_bytes(whole)
    small.run_files("land")
    counts = small.counts("land")
    note = (
        f"{','.join(small.statuses('land'))}; open rejects {tail_open} -> "
        f"{small.open_rejects('land')}; current leases {small.current_leases()}"
    )
    return FaultOutcome(
        _leases_in(partial) + _leases_in(whole), counts.accepted, counts.rejected, note
    )


def _household(n: int) -> str:
    member = {
        "member_no": 1,
        "full_name": f"Abdullayev Akmal {n}",
        "pinfl": None,
        "birth_date": "1985-03-15",
        "sex": "M",
        "relation": "head",
        "occupation": "unemployed",
        "notebook": None,
    }
    return json.dumps(
        {
            "survey_id": f"SV-{MAHALLA}-{n:05d}",
            "mahalla_code": MAHALLA,
            "assistant_id": ASSISTANT,
            "surveyed_on": "2022-01-14",
            "address": {"street": "Navoiy ko‘chasi", "house": str(n), "apartment": None},
            "category": 3,
            "monthly_income_uzs": 2400000,
            "plot_sotix": 4.5,
            "needs": ["subsidy"],
            "members": [member],
        },
        ensure_ascii=False,
    )


def survey_file_being_written(workdir: Path) -> FaultOutcome:
    """Looked at while half written, then again once finished, then once more."""
    small = SmallHub.create(workdir)
    lines = [_household(n) for n in range(1, scaled(50) + 1)]
    whole = ("\n".join(lines) + "\n").encode()
    path = small.folder("survey") / "survey_2022-01.jsonl"
    path.write_bytes(whole[: len(whole) // 2])
    looks = []
    taken = None
    for content in (None, whole, None):
        if content is not None:
            path.write_bytes(content)
        landed, _ = small.run_files("survey", settle_seconds=AN_HOUR)
        looks.append("waiting" if landed.waiting else f"taken({landed.delivered})")
        taken = taken if landed.waiting else landed
    # The hub counts a survey delivery's households and members together; a household
    # (a line) is the unit delivered, so the reading's counts are reported.
    accepted, rejected = (0, 0) if taken is None else (taken.accepted, taken.rejected)
    note = f"looks: {', '.join(looks)}; {','.join(small.statuses('survey'))}"
    return FaultOutcome(len(lines), accepted, rejected, note)


def _employment(rows: range, encoding: str, bom: bytes = b"") -> bytes:
    lines = [";".join(EMPLOYMENT_HEADER)] + [
        f"E2022-{n:07d};;Иванов Иван {n};15.03.1985;М;{MAHALLA};безработный;01.02.2022;;"
        for n in rows
    ]
    return bom + "".join(line + "\r\n" for line in lines).encode(encoding)


def employment_bom_file_then_good_months(workdir: Path) -> FaultOutcome:
    """January arrives as UTF-8 with a BOM (the contract says Windows-1251); the later
    months are good. Three runs: the file is quarantined once, the months load."""
    small = SmallHub.create(workdir)
    n = scaled(50)
    folder = small.folder("employment")
    (folder / "employment_2022-01.csv").write_bytes(
        _employment(range(1, n + 1), "utf-8", b"\xef\xbb\xbf")
    )
    (folder / "employment_2022-02.csv").write_bytes(_employment(range(n + 1, 2 * n + 1), "cp1251"))
    (folder / "employment_2022-03.csv").write_bytes(
        _employment(range(2 * n + 1, 3 * n + 1), "cp1251")
    )
    small.run_files("employment")
    after_first = small.counts("employment").deliveries
    small.run_files("employment")
    small.run_files("employment")
    counts = small.counts("employment")
    # The quarantined file's rows are held in the quarantine as that one file.
    whole_file = n if "quarantined" in small.statuses("employment") else 0
    note = (
        f"{','.join(small.statuses('employment'))}; reruns added "
        f"{counts.deliveries - after_first} deliveries"
    )
    return FaultOutcome(3 * n, counts.accepted, counts.rejected + whole_file, note)


def _tax_item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "tin": f"4{n:08d}",
        "pinfl": None,
        "full_name": f"KARIMOV JASUR {n}",
        "birth_date": "1985-03-15",
        "regime": "self_employed",
        "activity_code": "47190",
        "registered_on": "2022-05-01",
        "closed_on": None,
        "declared_income_uzs": "1000.00",
        "tax_year": 2022,
        "mahalla_code": None,
        "address": None,
        "updated_at": f"2022-12-01T10:00:{n % 60:02d}+05:00",
    } | changes


class _TaxPages:
    """The tax agency of a case: one page of `items`, served through httpx's MockTransport."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": self.items, "next_page_token": None})

    def connector(self) -> TaxApiConnector:
        return TaxApiConnector(
            "https://tax.example",
            "token",
            retry=RetryPolicy(max_attempts=1),
            transport=httpx.MockTransport(self._answer),
        )


def tax_api_bad_item(workdir: Path) -> FaultOutcome:
    """One item of a page has tax_year 2^63; then the next delivery arrives."""
    small = SmallHub.create(workdir)
    agency = _TaxPages()
    good = scaled(100)
    agency.items = [*(_tax_item(n) for n in range(1, good + 1)), _tax_item(0, tax_year=2**63)]
    land_tax(small.hub, agency, None)  # type: ignore[arg-type]
    stage_pending(small.hub, "tax")
    report = validate_table("tax", staged_frames(small.hub, "tax", "tax"))
    load_pending(small.hub, "tax")
    agency.items = [_tax_item(n) for n in range(good + 1, 2 * good + 1)]
    small.run_api("tax", agency)
    counts = small.counts("tax")
    note = (
        f"structure check {'passed' if report.passed else 'FAILED'}; "
        f"{','.join(small.statuses('tax'))}; open rejects {small.open_rejects('tax')}"
    )
    return FaultOutcome(2 * good + 1, counts.accepted, counts.rejected, note)


CASES: list[FaultCase] = [
    FaultCase("land_empty_file", 3, "land", land_empty_file),
    FaultCase("land_snapshot_without_leases", 3, "land", land_snapshot_without_leases),
    FaultCase("land_partial_then_complete", 4, "land", land_partial_then_complete),
    FaultCase("survey_file_being_written", 4, "survey", survey_file_being_written),
    FaultCase(
        "employment_bom_file_then_good_months",
        5,
        "employment",
        employment_bom_file_then_good_months,
    ),
    FaultCase("tax_api_bad_item", 7, "tax", tax_api_bad_item),
]
