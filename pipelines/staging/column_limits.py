"""The graph's column limits, enforced on staged rows so both databases behave alike.

PostgreSQL refuses a NUL character in text, a string longer than its `varchar(n)`, a
number with more integer digits than its `numeric(p, s)` allows and an integer beyond its
column's type; SQLite stores all of them. Without a check here one such value fails a whole
delivery's load on PostgreSQL and loads on SQLite. So every staged column that is written
to the graph names the model columns it is written to (`TARGETS`), the limits are read
from those SQLAlchemy columns, and a row that breaks one is quarantined with a reason
naming the column, the length or value and the limit, on either database. Numbers with
more decimals than the column's scale are rounded to it here, as PostgreSQL would round
them, so both databases store the same value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl
from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger, String
from sqlalchemy.orm import InstrumentedAttribute

from hub.graph.models import (
    Appeal,
    Assistant,
    Business,
    District,
    EmploymentRecord,
    Household,
    HouseholdMember,
    LandLease,
    Loan,
    Mahalla,
    Parcel,
    Person,
    Region,
    SourceRecord,
    TaxRegistration,
)
from pipelines.staging.rules import RowRule, quoted

Column = InstrumentedAttribute[Any]

_MENTION: Final[dict[str, tuple[Column, ...]]] = {
    "record_key": (SourceRecord.record_key,),
    "pinfl": (SourceRecord.pinfl,),
    "full_name": (SourceRecord.full_name, Person.full_name),
    "latin_name": (Person.full_name,),
    "name_key": (SourceRecord.name_key, Person.name_key),
    "surname_key": (SourceRecord.surname_key, Person.surname_key),
    "mahalla_code": (SourceRecord.mahalla_code,),
}

TARGETS: Final[dict[str, dict[str, tuple[Column, ...]]]] = {
    "registry_mahallas": {
        "record_key": (SourceRecord.record_key,),
        "region_soato": (Region.code,),
        "region_name": (Region.name,),
        "district_soato": (District.code,),
        "district_name": (District.name,),
        "mahalla_code": (Mahalla.code,),
        "mahalla_name": (Mahalla.name,),
        "mahalla_stir": (Mahalla.stir,),
    },
    "registry_assistants": {
        "record_key": (SourceRecord.record_key,),
        "assistant_id": (Assistant.id,),
        "full_name": (Assistant.full_name,),
        "phone": (Assistant.phone,),
        "mahalla_code": (Assistant.mahalla_code,),
    },
    "survey_households": {
        "record_key": (SourceRecord.record_key,),
        "survey_id": (Household.survey_id,),
        "mahalla_code": (Household.mahalla_code,),
        "assistant_id": (Household.assistant_id,),
        "street": (Household.street,),
        "house": (Household.house,),
        "apartment": (Household.apartment,),
        "category": (Household.assessed_category,),
        "monthly_income_uzs": (Household.monthly_income_uzs,),
        "plot_sotix": (Household.plot_sotix,),
    },
    "survey_members": {
        **_MENTION,
        "member_no": (HouseholdMember.member_no,),
        "relation": (HouseholdMember.relation,),
        "occupation": (Person.occupation,),
    },
    "tax": {
        **_MENTION,
        "tin": (TaxRegistration.tin,),
        "regime": (TaxRegistration.regime,),
        "activity_code": (TaxRegistration.activity_code,),
        "declared_income_tiyin": (TaxRegistration.declared_income_tiyin,),
        "tax_year": (TaxRegistration.tax_year,),
        "mahalla_code": (TaxRegistration.mahalla_code, SourceRecord.mahalla_code),
        "address": (TaxRegistration.address,),
    },
    "employment": {
        **_MENTION,
        "record_no": (EmploymentRecord.record_no,),
        "status": (EmploymentRecord.status,),
        "employer_tin": (EmploymentRecord.employer_tin,),
        "referral": (EmploymentRecord.referral,),
        "mahalla_code": (EmploymentRecord.mahalla_code, SourceRecord.mahalla_code),
        "source_file": (EmploymentRecord.source_file,),
    },
    "land": {
        **_MENTION,
        "full_name": (SourceRecord.full_name, Person.full_name, Business.name),
        "latin_name": (Person.full_name, LandLease.lessee_name),
        "lease_id": (LandLease.lease_id,),
        "contract_no": (LandLease.contract,),
        "status": (LandLease.status,),
        "cadastre_no": (Parcel.cadastre,),
        "mahalla_code": (Parcel.mahalla_code, SourceRecord.mahalla_code),
        "area_ha": (Parcel.area_ha,),
        "purpose": (Parcel.purpose,),
        "crop": (Parcel.crop,),
        "lessee_kind": (LandLease.lessee_kind,),
        "lessee_tin": (Business.tin,),
    },
    "bank": {
        **_MENTION,
        "latin_name": (Person.full_name, Loan.borrower_name),
        "loan_id": (Loan.loan_id,),
        "bank_mfo": (Loan.bank_mfo,),
        "kind": (Loan.kind,),
        "program": (Loan.program,),
        "amount_tiyin": (Loan.amount_tiyin,),
        "term_months": (Loan.term_months,),
        "status": (Loan.status,),
        "purpose": (Loan.purpose,),
        "mahalla_code": (Loan.mahalla_code, SourceRecord.mahalla_code),
    },
    "appeals": {
        **_MENTION,
        "latin_name": (Person.full_name, Appeal.applicant_name),
        "appeal_id": (Appeal.appeal_id,),
        "channel": (Appeal.channel,),
        "mahalla_code": (Appeal.mahalla_code, SourceRecord.mahalla_code),
        "phone": (Appeal.applicant_phone,),
        "topic": (Appeal.topic,),
        "addressed_to": (Appeal.addressed_to,),
        "status": (Appeal.status,),
    },
}
"""Staged table -> staged column -> the graph's columns its values are written to."""

DERIVED: Final[dict[str, list[tuple[str, pl.Expr, Column]]]] = {
    "land": [
        (
            "cadastre",
            pl.coalesce("cadastre_no", pl.concat_str([pl.lit("lease:"), "lease_id"])),
            Parcel.cadastre,
        )
    ],
}
"""Values the loaders compute from staged columns before writing them (name, value, column):
a lease without a cadastre number gets the parcel key `lease:<lease id>`."""

_INTEGER_RANGES: Final[Mapping[type[Any], tuple[int, int]]] = {
    SmallInteger: (-(2**15), 2**15 - 1),
    BigInteger: (-(2**63), 2**63 - 1),
    Integer: (-(2**31), 2**31 - 1),
}


def _name(column: Column) -> str:
    return f"{column.class_.__table__.name}.{column.key}"


def _sql_type(column: Column) -> Any:
    return column.property.columns[0].type


def _shortest(columns: tuple[Column, ...]) -> tuple[int, Column] | None:
    lengths = [
        (_sql_type(c).length, c)
        for c in columns
        if isinstance(_sql_type(c), String) and _sql_type(c).length
    ]
    return min(lengths, key=lambda found: found[0]) if lengths else None


def _length_rule(name: str, limit: int, target: Column, value: pl.Expr | None = None) -> RowRule:
    length = (pl.col(name) if value is None else value).str.len_chars()
    return RowRule(
        f"{name}_too_long",
        length > limit,
        pl.concat_str(
            [
                pl.lit(f"{name} is "),
                length.cast(pl.String),
                pl.lit(f" characters long; the graph's {_name(target)} holds at most {limit}"),
            ]
        ),
    )


def _nul_rule(name: str) -> RowRule:
    return RowRule(
        f"{name}_nul_character",
        pl.col(name).str.contains("\x00", literal=True),
        pl.lit(f"{name} contains a NUL character, which the graph cannot store"),
    )


def _numeric_rule(name: str, column: Column) -> RowRule:
    numeric = _sql_type(column)
    digits = numeric.precision - (numeric.scale or 0)
    return RowRule(
        f"{name}_too_large",
        pl.col(name).abs() >= 10**digits,
        pl.concat_str(
            [
                pl.lit(f"{name} "),
                quoted(name),
                pl.lit(
                    f" has more than {digits} digits before the decimal point; the graph's "
                    f"{_name(column)} is numeric({numeric.precision}, {numeric.scale or 0})"
                ),
            ]
        ),
    )


def _integer_rule(name: str, column: Column) -> RowRule | None:
    sql_type = type(_sql_type(column))
    for kind, (low, high) in _INTEGER_RANGES.items():
        if issubclass(sql_type, kind):
            return RowRule(
                f"{name}_out_of_range",
                (pl.col(name) < low) | (pl.col(name) > high),
                pl.concat_str(
                    [
                        pl.lit(f"{name} "),
                        quoted(name),
                        pl.lit(
                            f" is out of range: the graph's {_name(column)} holds {low}..{high}"
                        ),
                    ]
                ),
            )
    return None


def _column_rules(name: str, dtype: Any, targets: tuple[Column, ...]) -> list[RowRule]:
    if dtype == pl.String:
        shortest = _shortest(targets)
        found = [_nul_rule(name)]
        return found + ([_length_rule(name, *shortest)] if shortest else [])
    numeric = [c for c in targets if isinstance(_sql_type(c), Numeric)]
    if numeric and dtype.is_float():
        return [_numeric_rule(name, numeric[0])]
    if dtype.is_integer():
        return [rule for c in targets if (rule := _integer_rule(name, c)) is not None]
    return []


def limit_rules(table: str, columns: Mapping[str, Any]) -> list[RowRule]:
    """The rules of `table`'s columns that are written to the graph (`columns`: the frame's
    column -> dtype, before it is conformed to its staged schema)."""
    found: list[RowRule] = []
    for name, targets in TARGETS[table].items():
        dtype = columns.get(name)
        if dtype is not None:
            found.extend(_column_rules(name, dtype, targets))
    for name, value, target in DERIVED.get(table, []):
        limit = _shortest((target,))
        if limit is not None:
            found.append(_length_rule(name, limit[0], target, value))
    return found


def round_to_scales(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every number written to a `numeric(p, s)` column rounded to `s`."""
    rounded = []
    for name, targets in TARGETS[table].items():
        scales = [_sql_type(c).scale for c in targets if isinstance(_sql_type(c), Numeric)]
        if scales and name in frame.columns and frame.schema[name].is_float():
            rounded.append(pl.col(name).round(min(s or 0 for s in scales)))
    return frame.with_columns(rounded) if rounded else frame
