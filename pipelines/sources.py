"""The seven sources as the pipelines see them: connector, landed tables, stagers, loader."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from connectors.appeals import AppealsConnector
from connectors.employment import EmploymentConnector
from connectors.file_source import FileConnector
from connectors.land import LandConnector
from connectors.records import (
    AppealRecord,
    AssistantRecord,
    EmploymentRecord,
    LeaseRecord,
    LoanRecord,
    MahallaRecord,
    SurveyHousehold,
    TaxpayerRecord,
)
from connectors.registry import RegistryConnector
from connectors.survey import SurveyConnector
from pipelines.landing.frames import records_frame, survey_frames


@dataclass(frozen=True)
class SourceSpec:
    """`frames` turns one delivery's records into its landed tables (by staged-table name)."""

    name: str
    transport: str  # "files" or "api"
    description: str
    frames: Callable[[Sequence[Any]], dict[str, pl.DataFrame]]
    file_connector: type[FileConnector[Any]] | None = None


def _single(
    table: str, record_type: type[Any]
) -> Callable[[Sequence[Any]], dict[str, pl.DataFrame]]:
    return lambda records: {table: records_frame(record_type, records)}


def _registry(records: Sequence[Any]) -> dict[str, pl.DataFrame]:
    mahallas = [r for r in records if isinstance(r, MahallaRecord)]
    assistants = [r for r in records if isinstance(r, AssistantRecord)]
    frames: dict[str, pl.DataFrame] = {}
    if mahallas:
        frames["registry_mahallas"] = records_frame(MahallaRecord, mahallas)
    if assistants:
        frames["registry_assistants"] = records_frame(AssistantRecord, assistants)
    return frames


def _survey(records: Sequence[Any]) -> dict[str, pl.DataFrame]:
    households, members = survey_frames([r for r in records if isinstance(r, SurveyHousehold)])
    return {"survey_households": households, "survey_members": members}


SOURCES: Final[dict[str, SourceSpec]] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            "registry",
            "files",
            "The mahalla register: regions, districts, mahallas and khokim assistants.",
            _registry,
            RegistryConnector,
        ),
        SourceSpec(
            "survey",
            "files",
            "The assistants' door-to-door household survey: households and their members.",
            _survey,
            SurveyConnector,
        ),
        SourceSpec(
            "tax",
            "api",
            "Self-employed people and individual entrepreneurs from the State Tax Committee.",
            _single("tax", TaxpayerRecord),
        ),
        SourceSpec(
            "employment",
            "files",
            "Job seekers and placements from the Ministry of Employment (monthly files).",
            _single("employment", EmploymentRecord),
            EmploymentConnector,
        ),
        SourceSpec(
            "land",
            "files",
            "Land leases from the Cadastre Agency (full snapshots; the newest is authoritative).",
            _single("land", LeaseRecord),
            LandConnector,
        ),
        SourceSpec(
            "bank",
            "api",
            "Loans and subsidies from the banks' reporting gateway.",
            _single("bank", LoanRecord),
        ),
        SourceSpec(
            "appeals",
            "files",
            "Citizens' appeals from the People's reception.",
            _single("appeals", AppealRecord),
            AppealsConnector,
        ),
    )
}
"""Source id -> its spec, in load order (the register first: everything refers to mahallas)."""
