"""The pandas view of a staged polars frame that GX validates, and the deterministic sample.

pyarrow is not installed, so `polars.DataFrame.to_pandas()` is unavailable; each column is
converted from its numpy form instead (copy-free for numbers and dates). The view is chosen
so GX takes its vectorised paths where it has them:

| polars | pandas view | GX type name (`gx_type_name`) |
|---|---|---|
| String | `object` (None for null) | `object` |
| Int8..Int64, UInt* | numpy int of the same width; nullable `IntN` when it has nulls | `int8` ... |
| Float32/64 | numpy float (NaN for null) | `float64` ... |
| Boolean | `boolean` | `bool` |
| Date | `datetime64[ns]` (`[s]` if a value is outside 1677..2262) | `datetime64` |
| Datetime(tz) | `datetime64[us, tz]` | `Timestamp` |
| List | `object`: the items joined by `LIST_SEPARATOR` | `object` |

A naive Datetime would also show as `datetime64`: the type rules cannot tell it from Date.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import polars as pl

LIST_SEPARATOR: Final = ","
_NS_FIRST: Final = np.datetime64("1678-01-01", "D")
_NS_LAST: Final = np.datetime64("2262-01-01", "D")


def gx_type_name(dtype: pl.DataType | type[pl.DataType]) -> str:
    """The `type_` GX's ExpectColumnValuesToBeOfType accepts for a column of `dtype`."""
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return "Timestamp" if getattr(dtype, "time_zone", None) else "datetime64"
    if dtype == pl.Date:
        return "datetime64"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer() or dtype.is_float():
        return str(_numpy_dtype(dtype))
    return "object"


def _numpy_dtype(dtype: pl.DataType | type[pl.DataType]) -> np.dtype[np.generic]:
    return np.dtype(str(dtype).lower())


def _text(series: pl.Series) -> pd.Series:
    return pd.Series(series.to_numpy(), name=series.name, dtype=object)


def _integer(series: pl.Series) -> pd.Series:
    dtype = _numpy_dtype(series.dtype)
    if series.null_count() == 0:
        return pd.Series(series.to_numpy(), name=series.name)
    values = series.fill_null(0).to_numpy().astype(dtype, copy=False)
    mask = series.is_null().to_numpy()
    return pd.Series(pd.arrays.IntegerArray(values, mask), name=series.name)


def _date(series: pl.Series) -> pd.Series:
    days = series.to_numpy().astype("datetime64[D]")
    present = days[~np.isnat(days)]
    # GX compares datetime64[ns] columns vectorised and maps any other unit in Python.
    fits_ns = present.size == 0 or (present.min() >= _NS_FIRST and present.max() < _NS_LAST)
    return pd.Series(
        days.astype("datetime64[ns]" if fits_ns else "datetime64[s]"), name=series.name
    )


def _datetime(series: pl.Series) -> pd.Series:
    zone = getattr(series.dtype, "time_zone", None)
    naive = pd.Series(series.dt.replace_time_zone(None).to_numpy(), name=series.name)
    return naive.dt.tz_localize(zone) if zone else naive


def _list(series: pl.Series) -> pd.Series:
    joined = series.list.eval(pl.element().cast(pl.String)).list.join(LIST_SEPARATOR)
    return _text(joined)


def to_pandas_column(series: pl.Series) -> pd.Series:
    """One polars column as the pandas column GX sees (see the module table)."""
    dtype = series.dtype
    if dtype == pl.Date:
        return _date(series)
    if isinstance(dtype, pl.Datetime):
        return _datetime(series)
    if isinstance(dtype, pl.List):
        return _list(series)
    if dtype == pl.Boolean:
        return pd.Series(series.to_list(), name=series.name, dtype="boolean")
    if dtype.is_integer():
        return _integer(series)
    if dtype.is_float():
        return pd.Series(series.to_numpy(), name=series.name)
    if dtype == pl.String:
        return _text(series)
    return _text(series.cast(pl.String))


def to_pandas_view(frame: pl.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The pandas view of `frame` (only `columns` when given), row order kept."""
    names = frame.columns if columns is None else columns
    converted = {name: to_pandas_column(frame.get_column(name)) for name in names}
    return pd.DataFrame(converted, index=pd.RangeIndex(frame.height))


def sample_rows(frame: pl.DataFrame, limit: int, seed: int) -> pl.DataFrame:
    """`limit` rows of `frame` chosen uniformly at random, in their original order.

    Deterministic: the same frame height, `limit` and `seed` always pick the same rows.
    The frame itself is returned when it has at most `limit` rows.
    """
    if frame.height <= limit:
        return frame
    picked = np.random.default_rng(seed).choice(frame.height, size=limit, replace=False)
    picked.sort()
    return frame[pl.Series(picked, dtype=pl.UInt32)]
