"""The declared quality suite of every staged table (pipelines/staging/schemas.py).

`suite_for(table, as_of=..., thresholds=...)` lists the table's `QualityRule`s:

- blocking, for every table: exactly the declared columns, each of its declared type,
  `record_key` present and unique over the whole frame; the fields the connector
  record types require (connectors/records.py) not null; closed vocabularies
  (connectors/vocabulary.py, PINFL issues) within their values; codes the connector or
  staging already enforces (mahalla code, TIN, SOATO, STIR) matching their patterns.
- warn: a non-empty table, PINFL validity, null rates of usually-filled fields, plausible
  value ranges, codes nobody upstream enforces (bank MFO, passport, phone, lessee TIN).

Freshness is not judged from the dates in the data (an agency's records may be old and
still new to the hub) but from when the source last delivered something new
(pipelines/freshness.py).

Staging quarantines rows breaking row rules, and rows breaking a blocking rule that judges
one value (pipelines/quality/row_gate.py), so blocking rules pass on properly staged data:
they catch a staging bug or a contract change, not a bad row. The blocking rules on single
values fail only above `QualityThresholds.max_failed_row_share` of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Final

import polars as pl

from connectors import vocabulary as v
from hub.identity.pinfl import PinflIssue
from pipelines.quality import rules as q
from pipelines.quality.pandas_view import gx_type_name
from pipelines.quality.thresholds import DEFAULT_THRESHOLDS, QualityThresholds
from pipelines.staging.schemas import MENTION_COLUMNS, STAGED_SCHEMAS

MAHALLA_CODE: Final = r"^[0-9]{10}$"
TIN: Final = r"^[24-7][0-9]{8}$"
REGION_SOATO: Final = r"^[0-9]{4}$"
DISTRICT_SOATO: Final = r"^[0-9]{7}$"
STIR: Final = r"^[0-9]{9}$"
BANK_MFO: Final = r"^[0-9]{5}$"
PASSPORT: Final = r"^[A-Z]{2}[0-9]{7}$"
PHONE: Final = r"^\+998[0-9]{9}$"

PINFL_ISSUES: Final = (*(issue.value for issue in PinflIssue), "inconsistent")
KEY_COLUMN: Final = "record_key"


def _values(enum: type[v.E]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def needs_pattern() -> str:
    """The pattern of the `needs` list in its pandas view: known needs, comma-separated."""
    one = "(?:" + "|".join(_values(v.Need)) + ")"
    return f"^(?:{one}(?:,{one})*)?$"


@dataclass(frozen=True)
class TableSpec:
    """What a table's suite checks beyond the common structure rules."""

    required: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    soft_formats: dict[str, str] = field(default_factory=dict)
    mostly_present: tuple[str, ...] = ()


_MENTION_ENUMS: Final = {"sex": _values(v.Sex), "pinfl_issue": PINFL_ISSUES}

TABLE_SPECS: Final[dict[str, TableSpec]] = {
    "registry_mahallas": TableSpec(
        required=(
            "region_soato",
            "region_name",
            "district_soato",
            "district_name",
            "mahalla_code",
            "mahalla_name",
            "mahalla_stir",
        ),
        formats={
            "region_soato": REGION_SOATO,
            "district_soato": DISTRICT_SOATO,
            "mahalla_code": MAHALLA_CODE,
            "mahalla_stir": STIR,
        },
    ),
    "registry_assistants": TableSpec(
        required=("assistant_id", "full_name", "mahalla_code", "appointed_on"),
        formats={"mahalla_code": MAHALLA_CODE},
        soft_formats={"phone": PHONE},
    ),
    "survey_households": TableSpec(
        required=("survey_id", "mahalla_code", "assistant_id", "surveyed_on", "needs"),
        formats={"mahalla_code": MAHALLA_CODE, "needs": needs_pattern()},
        mostly_present=("category",),
    ),
    "survey_members": TableSpec(
        required=("survey_id", "member_no", "full_name", "sex", "relation", "occupation"),
        enums={
            "relation": _values(v.Relation),
            "occupation": _values(v.Occupation),
            "notebook": _values(v.Notebook),
        },
        formats={"mahalla_code": MAHALLA_CODE},
        mostly_present=("pinfl", "birth_on"),
    ),
    "tax": TableSpec(
        required=("tin", "full_name", "regime", "registered_on", "tax_year", "updated_at"),
        enums={"regime": _values(v.TaxRegime)},
        formats={"tin": TIN, "mahalla_code": MAHALLA_CODE},
        mostly_present=("pinfl", "mahalla_code"),
    ),
    "employment": TableSpec(
        # The contract lets a birth date be empty (records migrated from paper registers).
        required=("record_no", "full_name", "sex", "status", "status_on"),
        enums={"status": _values(v.EmploymentStatus)},
        formats={"mahalla_code": MAHALLA_CODE, "employer_tin": TIN},
        mostly_present=("pinfl", "mahalla_code", "birth_on"),
    ),
    "land": TableSpec(
        required=("lease_id", "status", "area_ha", "purpose", "lessee_kind", "starts_on"),
        enums={
            "status": _values(v.LeaseStatus),
            "purpose": _values(v.LandPurpose),
            "lessee_kind": _values(v.LesseeKind),
        },
        formats={"mahalla_code": MAHALLA_CODE},
        soft_formats={"lessee_tin": TIN},
        mostly_present=("mahalla_code",),
    ),
    "bank": TableSpec(
        required=("loan_id", "bank_mfo", "kind", "program", "amount_tiyin", "issued_on", "status"),
        enums={
            "kind": _values(v.LoanKind),
            "program": _values(v.LoanProgram),
            "status": _values(v.LoanStatus),
        },
        formats={"mahalla_code": MAHALLA_CODE},
        soft_formats={"bank_mfo": BANK_MFO, "passport": PASSPORT},
        mostly_present=("pinfl", "mahalla_code"),
    ),
    "appeals": TableSpec(
        required=("appeal_id", "received_at", "channel", "topic", "status"),
        enums={
            "channel": _values(v.AppealChannel),
            "topic": _values(v.AppealTopic),
            "status": _values(v.AppealStatus),
        },
        formats={"mahalla_code": MAHALLA_CODE},
        soft_formats={"phone": PHONE},
    ),
}
"""Staged table -> what its suite checks; every table of STAGED_SCHEMAS has one."""


def _structure(schema: dict[str, pl.DataType | type[pl.DataType]]) -> list[q.QualityRule]:
    return [
        q.not_empty(),
        q.columns_match(tuple(schema)),
        *(q.column_type(column, gx_type_name(dtype)) for column, dtype in schema.items()),
        q.not_null(KEY_COLUMN, scope="full"),
        q.unique(KEY_COLUMN),
        q.not_null("origin"),
        q.not_null("delivery_id"),
    ]


def _bound(value: date, dtype: pl.DataType | type[pl.DataType]) -> datetime:
    """A date as the bound GX compares the column's pandas view with."""
    start = datetime.combine(value, time())
    return start.replace(tzinfo=UTC) if gx_type_name(dtype) == "Timestamp" else start


def _ranges(table: str, limits: QualityThresholds, as_of: date) -> list[q.QualityRule]:
    schema = STAGED_SCHEMAS[table]
    found: list[q.QualityRule] = []
    if "birth_on" in schema:
        found.append(
            q.between("birth_on", _bound(limits.first_birth_on, pl.Date), _bound(as_of, pl.Date))
        )
    for column in ("amount_tiyin", "declared_income_tiyin"):
        if column in schema:
            strict_low = column == "amount_tiyin"
            found.append(q.between(column, 0, limits.max_tiyin, strict_low=strict_low))
    if table == "survey_households":
        found.append(q.between("category", 1, 4))
        found.append(q.between("member_count", 1, None))
    if table == "land":
        found.append(q.between("area_ha", 0.0, limits.max_area_ha, strict_low=True))
    return found


def suite_for(
    table: str, *, as_of: date, thresholds: QualityThresholds = DEFAULT_THRESHOLDS
) -> list[q.QualityRule]:
    """The rules of `table` (KeyError naming the known tables when it has no suite)."""
    if table not in TABLE_SPECS:
        raise KeyError(f"No quality suite for table '{table}'; known: {sorted(TABLE_SPECS)}")
    schema = STAGED_SCHEMAS[table]
    spec = TABLE_SPECS[table]
    has_mentions = all(column in schema for column in MENTION_COLUMNS)
    enums = {**(_MENTION_ENUMS if has_mentions else {}), **spec.enums}
    share = thresholds.max_failed_row_share
    found = _structure(schema)
    found += [q.not_null(column, failed_share=share) for column in spec.required]
    found += [q.in_set(column, values, failed_share=share) for column, values in enums.items()]
    found += [q.matches(c, p, failed_share=share) for c, p in spec.formats.items()]
    found += [q.matches(c, p, severity="warn") for c, p in spec.soft_formats.items()]
    if has_mentions:
        found.append(q.valid_pinfl_rate_at_least(thresholds.min_valid_pinfl_rate))
    found += [
        q.null_rate_at_most(c, thresholds.max_optional_null_rate) for c in spec.mostly_present
    ]
    found += _ranges(table, thresholds, as_of)
    return found
