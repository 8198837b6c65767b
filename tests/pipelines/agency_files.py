"""Hand-made deliveries for the pipeline tests, and the three steps run over a folder.

The bytes are written here, not by the sandbox: a hostile or careless agency is not our
generator. `run_folder` lands, stages and loads one file source the way its job does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connectors.employment import HEADER as EMPLOYMENT_HEADER
from pipelines.resources import FolderAgency, HubDatabase
from pipelines.steps.land import LandingReport, land_files
from pipelines.steps.load import LoadReport, load_pending
from pipelines.steps.stage import stage_pending

MAHALLA = "1703202015"


def write_registry(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mahallas.csv").write_text(
        "region_soato,region_name,district_soato,district_name,mahalla_code,mahalla_name,"
        f"mahalla_stir\n1703,Andijon viloyati,1703202,Asaka tumani,{MAHALLA},Navbahor MFY,"
        "207123456\n",
        encoding="utf-8",
    )
    (folder / "assistants.csv").write_text(
        "assistant_id,full_name,phone,mahalla_code,appointed_on\n"
        f"A-00001,Karimov Jasur,+998901234567,{MAHALLA},2022-01-01\n",
        encoding="utf-8",
    )


def lease(n: int) -> str:
    return (
        f'<Lease id="LS-{n:07d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n:04d}" mahalla="{MAHALLA}" areaHa="0,12" '
        'purpose="household_plot" crop="tomato"/>'
        f'<Lessee kind="person" pinfl="" tin="" name="Lessee {n}"/>'
        '<Term start="2022-03-01" end="2027-02-28"/></Lease>'
    )


def snapshot(numbers: range | list[int]) -> bytes:
    body = "\n  ".join(lease(n) for n in numbers)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<LeaseExport generated="2022-12-01T00:00:00+05:00">\n  {body}\n</LeaseExport>\n'
    ).encode()


def employment_row(n: int, status: str = "безработный") -> str:
    fields = [f"E2022-{n:07d}", "", f"Иванов Иван {n}", "15.03.1985", "М", MAHALLA, status]
    return ";".join([*fields, "01.02.2022", "", ""])


def employment_file(rows: list[str]) -> bytes:
    lines = [";".join(EMPLOYMENT_HEADER), *rows]
    return "".join(line + "\r\n" for line in lines).encode("cp1251")


@dataclass
class StepReports:
    landed: LandingReport
    loaded: LoadReport


def run_folder(
    hub: HubDatabase, folder: Path, source: str, settle_seconds: float = 0
) -> StepReports:
    """Land, stage and load `source` from `folder`, as one run of its job would."""
    agency = FolderAgency(folder=str(folder), settle_seconds=settle_seconds)
    landed = land_files(hub, agency, source, None)
    stage_pending(hub, source)
    return StepReports(landed, load_pending(hub, source))
