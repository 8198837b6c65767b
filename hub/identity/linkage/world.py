"""Person mentions of a world's deliveries, read through the connectors and staging.

A world folder (as ``sandbox generate`` writes it, or any folder laid out like one) holds
the file sources' folders and ``api/tax/taxpayers.jsonl`` / ``api/bank/loans.jsonl``, the
items the agencies' APIs serve. Each delivery goes through the source's connector, the
landing frames and the source's stager (so staging's row rules apply), deliveries in
order, a later row of a record key replacing the earlier one. The mention keeps the
record's OWN birth date and sex from the landed frame (staging fills gaps from the PINFL,
which linking must not see as independent evidence).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Final

import polars as pl

from connectors.bank import parse_loan
from connectors.fields import FieldError
from connectors.outcomes import Reject
from connectors.records import MahallaRecord, Origin
from connectors.registry import RegistryConnector
from connectors.tax import parse_taxpayer
from hub.identity.linkage.contract import MENTION_SCHEMA
from pipelines.sources import SOURCES
from pipelines.staging.tables import STAGERS, StagingContext

PERSON_SOURCES: Final = ("survey", "tax", "employment", "land", "bank", "appeals")
API_FILES: Final = {
    "tax": ("api/tax/taxpayers.jsonl", parse_taxpayer),
    "bank": ("api/bank/loans.jsonl", parse_loan),
}

# staged table -> (pinfl, name, own birth date, own sex) columns of the landed frame
_LANDED_PERSON: Final[dict[str, tuple[str, str, str | None, str | None]]] = {
    "survey_members": ("pinfl", "full_name", "birth_date", "sex"),
    "tax": ("pinfl", "full_name", "birth_date", None),
    "employment": ("pinfl", "full_name", "birth_date", "sex"),
    "land": ("lessee_pinfl", "lessee_name", None, None),
    "bank": ("borrower_pinfl", "borrower_name", "borrower_birth_date", None),
    "appeals": ("applicant_pinfl", "applicant_full_name", None, None),
}


class WorldFolderError(ValueError):
    """The folder is not a world (no registry of mahallas to stage against)."""


def world_mentions(world: Path, *, today: date | None = None) -> pl.DataFrame:
    """Every person mention the world's deliveries hold, in ``MENTION_SCHEMA``."""
    known = _known_mahallas(world)
    frames = []
    for source in PERSON_SOURCES:
        staged: dict[str, list[pl.DataFrame]] = {}
        for number, landed in enumerate(_landed_deliveries(world, source), start=1):
            ctx = StagingContext(known, today or date.today(), number, f"{source}-{number}")
            for table, frame in landed.items():
                if table in _LANDED_PERSON and not frame.is_empty():
                    staged.setdefault(table, []).append(_own_fields(table, frame, ctx))
        for table, parts in staged.items():
            latest = pl.concat(parts, how="diagonal_relaxed").unique(
                "record_key", keep="last", maintain_order=True
            )
            frames.append(_as_mentions(source, table, latest))
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=MENTION_SCHEMA)


def _known_mahallas(world: Path) -> pl.Series:
    folder = world / "registry"
    if not folder.is_dir():
        raise WorldFolderError(f"World {world.name}: no registry/ folder of mahallas.")
    codes: set[str] = set()
    for reading in RegistryConnector(folder).read_all():
        codes.update(r.mahalla_code for r in reading if isinstance(r, MahallaRecord))
    return pl.Series("mahalla_code", sorted(codes), dtype=pl.String)


def _landed_deliveries(world: Path, source: str) -> Iterator[dict[str, pl.DataFrame]]:
    spec = SOURCES[source]
    if spec.file_connector is not None:
        folder = world / source
        if not folder.is_dir():
            return
        for reading in spec.file_connector(folder).read_all():
            records = [r for r in reading if not isinstance(r, Reject)]
            if records:
                yield spec.frames(records)
        return
    relative, parse = API_FILES[source]
    path = world / relative
    if path.is_file():
        records = list(_api_records(path, parse))
        if records:
            yield spec.frames(records)


def _api_records(path: Path, parse: Callable[[object, Origin], Any]) -> Iterator[Any]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield parse(json.loads(line), Origin(path.name, number))
            except (ValueError, FieldError):
                continue  # an unreadable item: the connector would reject it too


def _own_fields(table: str, landed: pl.DataFrame, ctx: StagingContext) -> pl.DataFrame:
    """The staged rows of one delivery, with the record's own birth date and sex."""
    _, _, birth, sex = _LANDED_PERSON[table]
    own = landed.unique("record_key", keep="last").select(
        "record_key",
        own_birth=pl.col(birth).cast(pl.Date) if birth else pl.lit(None, pl.Date),
        own_sex=pl.col(sex).cast(pl.String) if sex else pl.lit(None, pl.String),
    )
    staged = STAGERS[table](landed, ctx).frame
    return staged.join(own, on="record_key", how="left")


def _as_mentions(source: str, table: str, staged: pl.DataFrame) -> pl.DataFrame:
    def column(name: str) -> pl.Expr:
        return pl.col(name) if name in staged.columns else pl.lit(None, pl.String)

    person = pl.col("lessee_kind") == "person" if table == "land" else pl.lit(True)
    tin = column("tin") if table == "tax" else column("lessee_tin") if table == "land" else None
    return (
        staged.filter(person)
        .select(
            mention_id=pl.concat_str([pl.lit(f"{source}/"), "record_key"]),
            source=pl.lit(source),
            record_key="record_key",
            pinfl="pinfl",
            full_name="full_name",
            birth_on="own_birth",
            sex=pl.col("own_sex").str.to_uppercase().replace({"М": "M", "Ж": "F"}),
            mahalla_code=column("mahalla_code"),
            household_key=column("survey_id") if table == "survey_members" else pl.lit(None),
            passport=column("passport"),
            phone=column("phone"),
            tin=tin if tin is not None else pl.lit(None, pl.String),
            person_hub_id=pl.lit(None, pl.String),
        )
        .cast(MENTION_SCHEMA)  # type: ignore[arg-type]
    )
