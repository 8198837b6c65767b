"""Survivorship: which of a golden person's records gives each of its attributes.

This module is the one place the rules are written. For every attribute, the person's
records that state a value are ranked by, in order:

1. **evidence kind**: for birth date and sex, a value the record states itself beats one
   read out of its PINFL, since a PINFL can be a relative's; for the name, a readable one
   beats one with letters a Windows-1251 export lost as `?`;
2. **source trust for that attribute** (`TRUST`): who is believed on what;
3. **recency**: the record seen in the later delivery;
4. **agreement**: how many of the person's records give the same value;

and the first value wins (ties after all four: the smaller source/record key, so the choice
is deterministic). Only usable values compete: a PINFL only when it is valid and agrees with
its own record's birth date and sex (`pinfl_issue` null); a mahalla only when the register
knows it (the caller filters). Every record whose own value differs from the surviving one
is a conflict: `attribute`, the record's value, the surviving value, its source and key.
Names are compared by their surname root (`surname_key`): initials or a missing patronymic
are another form of the same name, a different surname root is a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

TRUST: Final[dict[str, dict[str, int]]] = {
    # The survey is a door-to-door visit that sees the person; tax and employment check
    # identity documents; banks and appeals copy names loosely; the cadastre writes initials.
    "name": {"survey": 60, "tax": 50, "employment": 40, "appeals": 30, "bank": 20, "land": 10},
    "birth_on": {"survey": 60, "tax": 50, "employment": 50, "bank": 40},
    "sex": {"survey": 60, "employment": 50, "tax": 40, "bank": 30},
    # A PINFL is best checked by the agencies that register people by it.
    "pinfl": {
        "tax": 60,
        "employment": 50,
        "survey": 40,
        "bank": 40,
        "land": 20,
        "appeals": 20,
    },
    # Where the person lives: the survey found them at home; a parcel is not a residence.
    "mahalla_code": {"survey": 60, "tax": 40, "employment": 40, "bank": 30, "appeals": 30},
    "phone": {"appeals": 10},
    "passport": {"bank": 10},
}
"""Attribute -> source -> trust; a source absent for an attribute is not believed on it."""

RECORD_SCHEMA: Final[dict[str, pl.DataType]] = {
    "hub_id": pl.String(),
    "source": pl.String(),
    "record_key": pl.String(),
    "recency": pl.Int64(),  # larger = later (the record's last delivery id)
    "latin_name": pl.String(),
    "name_key": pl.String(),
    "surname_key": pl.String(),
    "pinfl": pl.String(),
    "pinfl_issue": pl.String(),
    "stated_birth_on": pl.Date(),
    "birth_on": pl.Date(),
    "stated_sex": pl.String(),
    "sex": pl.String(),
    "mahalla_code": pl.String(),
    "phone": pl.String(),
    "passport": pl.String(),
}
"""One row per source record of a golden person (its `hub_id`)."""

CONFLICT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "hub_id": pl.String(),
    "attribute": pl.String(),
    "value": pl.String(),
    "surviving_value": pl.String(),
    "source": pl.String(),
    "record_key": pl.String(),
}


@dataclass(frozen=True)
class Survivors:
    """`golden`: one row per hub id with each attribute's surviving value and, in
    `<attribute>_from`, the record it came from ("source/record_key"); `conflicts`:
    CONFLICT_SCHEMA rows."""

    golden: pl.DataFrame
    conflicts: pl.DataFrame


def _candidates(records: pl.DataFrame, attribute: str) -> tuple[pl.DataFrame, str]:
    """The records that may give `attribute`, with its value in `value` and `stated` (1
    for a value the record states itself), and the column compared for conflicts."""
    if attribute == "name":
        value, compared = pl.col("latin_name"), "surname_key"
        usable = pl.col("latin_name").is_not_null() & pl.col("surname_key").is_not_null()
        stated = (~pl.col("latin_name").str.contains("?", literal=True)).cast(pl.Int8)
    elif attribute in ("birth_on", "sex"):
        own, read = pl.col(f"stated_{attribute}"), pl.col(attribute)
        value, compared = pl.coalesce(own, read), f"stated_{attribute}"
        usable = own.is_not_null() | (read.is_not_null() & pl.col("pinfl_issue").is_null())
        stated = own.is_not_null().cast(pl.Int8)
    elif attribute == "pinfl":
        value, compared = pl.col("pinfl"), "pinfl"
        usable = pl.col("pinfl").is_not_null() & pl.col("pinfl_issue").is_null()
        stated = pl.lit(1)
    else:
        value, compared = pl.col(attribute), attribute
        usable = pl.col(attribute).is_not_null()
        stated = pl.lit(1)
    trust = pl.col("source").replace_strict(TRUST[attribute], default=None, return_dtype=pl.Int64)
    found = records.with_columns(value=value, stated=stated, trust=trust).filter(
        usable & pl.col("trust").is_not_null()
    )
    agreement = pl.len().over("hub_id", pl.col("value").cast(pl.String))
    return found.with_columns(agreement=agreement), compared


def _survivor(records: pl.DataFrame, attribute: str) -> tuple[pl.DataFrame, str]:
    found, compared = _candidates(records, attribute)
    ranked = found.sort(
        ["hub_id", "stated", "trust", "recency", "agreement", "source", "record_key"],
        descending=[False, True, True, True, True, False, False],
    )
    best = ranked.group_by("hub_id", maintain_order=True).first()
    origin = pl.concat_str([pl.col("source"), pl.lit("/"), pl.col("record_key")])
    columns = [
        pl.col("hub_id"),
        pl.col("value").alias(attribute),
        origin.alias(f"{attribute}_from"),
    ]
    if attribute == "name":
        columns += [
            pl.col("name_key"),
            pl.col("surname_key"),
            pl.col("source").alias("name_source"),
        ]
        columns += [pl.col("trust").alias("name_trust")]
    return best.select(columns), compared


def _conflicts(
    records: pl.DataFrame, golden: pl.DataFrame, attribute: str, compared: str
) -> pl.DataFrame:
    kept = "surname_key" if attribute == "name" else attribute
    shown = "latin_name" if attribute == "name" else compared
    surviving = "name" if attribute == "name" else attribute
    joined = records.join(
        golden.select("hub_id", pl.col(kept).alias("_kept"), pl.col(surviving).alias("_shown")),
        on="hub_id",
    )
    differs = joined.filter(
        pl.col(compared).is_not_null()
        & pl.col("_kept").is_not_null()
        & (pl.col(compared).cast(pl.String) != pl.col("_kept").cast(pl.String))
    )
    return differs.select(
        "hub_id",
        pl.lit(attribute).alias("attribute"),
        pl.col(shown).cast(pl.String).alias("value"),
        pl.col("_shown").cast(pl.String).alias("surviving_value"),
        "source",
        "record_key",
    )


ATTRIBUTES: Final = tuple(TRUST)


def choose_survivors(records: pl.DataFrame) -> Survivors:
    """The surviving attributes of every hub id in `records` (RECORD_SCHEMA) and the
    conflicts between its records and them."""
    records = records.select([pl.col(c).cast(t) for c, t in RECORD_SCHEMA.items()])
    golden = records.select("hub_id").unique(maintain_order=True)
    compared: dict[str, str] = {}
    for attribute in ATTRIBUTES:
        best, compared[attribute] = _survivor(records, attribute)
        golden = golden.join(best, on="hub_id", how="left")
    conflicts = [_conflicts(records, golden, a, compared[a]) for a in ATTRIBUTES]
    return Survivors(golden, pl.concat(conflicts).cast(CONFLICT_SCHEMA))  # type: ignore[arg-type]
