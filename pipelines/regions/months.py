"""The month dimension of a monthly source's region loads: partitions, the month of a
delivery, and the mappings that keep a region's months in order.

A monthly source (employment, SOURCES.md: files `employment_YYYY-MM.csv`; "the file of the
later month wins") is loaded by region x delivery month (`REGION_MONTHS`, keys such as
`2022-03|1703`): a partition loads that region's rows of that month's staged deliveries.
The month is the one the file's name gives; a delivery whose name gives none cannot be
placed in a month partition and stops the load with an error naming it (the connector
already lands only names of that form).

Order, so that a region's months build what the whole load builds (same hub ids): each
month partition depends on the same region's previous month (`PREVIOUS_MONTH`, a
self-dependency a Dagster backfill follows), and the source after it depends on every
month of the region (`EVERY_MONTH`). The loads check the same order themselves
(pipelines.regions.order), whatever launched them.
"""

from __future__ import annotations

import re
import warnings
from typing import Final

from dagster import (
    BetaWarning,
    DimensionPartitionMapping,
    IdentityPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionMapping,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    TimeWindowPartitionMapping,
)

from pipelines.regions.codes import REGIONS

# Dagster marks its multi-partition mappings beta; said once here rather than on every
# import (a command's output must stay readable).
warnings.filterwarnings(
    "ignore",
    message=".*(MultiPartitionMapping|MultiToSingleDimensionPartitionMapping).*",
    category=BetaWarning,
)

MONTHLY_SOURCES: Final = ("employment",)
"""The sources delivered as one file per month, loaded by region x month."""

FIRST_MONTH: Final = "2000-01"
"""The first month partition (the sandbox dates its worlds from 2000 on)."""

DELIVERY_MONTHS: Final = MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=1
)
"""Calendar months up to the current one (a file of the current month is a partition)."""

REGION = "region"
MONTH = "month"
REGION_MONTHS: Final = MultiPartitionsDefinition({REGION: REGIONS, MONTH: DELIVERY_MONTHS})
"""One partition per region and delivery month."""

PREVIOUS_MONTH: Final = MultiPartitionMapping(
    {
        REGION: DimensionPartitionMapping(REGION, IdentityPartitionMapping()),
        MONTH: DimensionPartitionMapping(MONTH, TimeWindowPartitionMapping(-1, -1)),
    }
)
"""A month partition's self-dependency: the same region's previous month."""

EVERY_MONTH: Final = MultiToSingleDimensionPartitionMapping(partition_dimension_name=REGION)
"""A region partition after a monthly source: every month partition of that region."""

_MONTH_IN_NAME = re.compile(r"_(\d{4}-(?:0[1-9]|1[0-2]))\.[A-Za-z]+$")


class UnplacedDeliveryError(ValueError):
    """A monthly source's delivery (or a partition) that names no month partition."""


def delivery_month(name: str) -> str:
    """The month (`YYYY-MM`) a monthly delivery's file name gives, e.g.
    `employment_2022-03.csv` -> `2022-03`."""
    found = _MONTH_IN_NAME.search(name)
    if found is None:
        raise UnplacedDeliveryError(
            f"The delivery '{name}' gives no month in its name (SOURCES.md: "
            "`employment_YYYY-MM.csv`), so no region x month partition loads it."
        )
    return found.group(1)


def region_month_key(region: str, month: str) -> MultiPartitionKey:
    """The partition key of `region`'s `month` (checked against the partitions)."""
    if not DELIVERY_MONTHS.has_partition_key(month):
        raise UnplacedDeliveryError(
            f"Month '{month}' is not a delivery month partition (from {FIRST_MONTH} to the "
            "current month): its file waits until the month has begun."
        )
    return MultiPartitionKey({REGION: region, MONTH: month})


def split_key(key: str) -> tuple[str, str]:
    """(region, month) of a region x month partition key."""
    parts = REGION_MONTHS.get_partition_key_from_str(key).keys_by_dimension
    return parts[REGION], parts[MONTH]
