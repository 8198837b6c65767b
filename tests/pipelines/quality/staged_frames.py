"""Small, valid staged frames of every table, built by hand from STAGED_SCHEMAS.

`valid_frame(table, rows)` gives a frame that keeps every rule of the table's suite when
validated `as_of=AS_OF`; tests then break one thing and look for the rule that notices.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from pipelines.quality.suites import TABLE_SPECS
from pipelines.staging.schemas import STAGED_SCHEMAS

AS_OF = date(2022, 6, 30)
VALID_PINFL = "31503851234566"

_FIXED: dict[str, object] = {
    "delivery_id": 1,
    "pinfl": VALID_PINFL,
    "pinfl_issue": None,
    "full_name": "Abdullayev Akmal Baxtiyor o‘g‘li",
    "latin_name": "Abdullayev Akmal Baxtiyor o‘g‘li",
    "name_key": "abdulaev akmal",
    "surname_key": "abdulaev",
    "given_key": "akmal",
    "birth_on": date(1985, 3, 15),
    "sex": "M",
    "region_soato": "1703",
    "district_soato": "1703202",
    "mahalla_code": "1703202015",
    "mahalla_stir": "207123456",
    "employer_tin": "207654321",
    "lessee_tin": None,
    "phone": "+998901234567",
    "passport": "AB1234567",
    "bank_mfo": "00873",
    "category": 3,
    "member_count": 4,
    "monthly_income_uzs": 2_400_000,
    "declared_income_tiyin": 1_250_000_000,
    "tax_year": 2022,
    "amount_tiyin": 3_000_000_000,
    "term_months": 36,
    "plot_sotix": 4.5,
    "area_ha": 0.12,
    "needs": ["subsidy", "vocational_training"],
    "resolved_at": None,
    "closed_on": None,
}


def _value(table: str, column: str, dtype: object, row: int) -> object:
    enums = TABLE_SPECS[table].enums
    if column in enums:
        return enums[column][0]
    if column in _FIXED:
        return _FIXED[column]
    if column == "record_key":
        return f"K-{row:05d}"
    if column == "tin":
        return f"4{row:08d}"
    if column == "member_no":
        return row + 1
    if dtype == pl.Date:
        return date(2022, 6, 1)
    if isinstance(dtype, pl.Datetime):
        return datetime(2022, 6, 1, 9, 30, tzinfo=UTC)
    return f"{column}-{row}"


def valid_frame(table: str, rows: int = 3) -> pl.DataFrame:
    """`rows` rows of `table` that keep every rule of its suite (as of AS_OF)."""
    schema = STAGED_SCHEMAS[table]
    data = {
        column: [_value(table, column, dtype, row) for row in range(rows)]
        for column, dtype in schema.items()
    }
    return pl.DataFrame(data, schema=schema)


def with_values(frame: pl.DataFrame, column: str, values: dict[int, object]) -> pl.DataFrame:
    """`frame` with `column` set to `values[row]` in the given rows (dtype kept)."""
    cells = frame.get_column(column).to_list()
    for row, value in values.items():
        cells[row] = value
    return frame.with_columns(pl.Series(column, cells, dtype=frame.schema[column]))
