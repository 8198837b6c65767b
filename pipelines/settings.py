"""Settings of the pipelines' safeguards, read from the environment once and validated.

- `HUB_FILE_SETTLE_SECONDS` (default 60): a delivered file is taken once it has not changed
  for this long, or since the hub's previous look (pipelines/landing/settling.py).
- `HUB_LAND_MAX_ENDED_SHARE` (default 0.2): a land snapshot that would end more than this
  share of the current leases is held (pipelines/steps/snapshot_guard.py).
- `HUB_FRESHNESS_DAYS_<SOURCE>` (`HUB_FRESHNESS_DAYS_BANK`, ...; default 45): a source
  that has delivered nothing new for longer than this many days fails its freshness check
  (pipelines/freshness.py).

An invalid value raises `hub.config.ConfigurationError` naming the variable and the value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from hub.config import ConfigurationError

DEFAULT_SETTLE_SECONDS: Final = 60.0
"""One sensor interval (pipelines/automation.py): a file unchanged for a whole tick."""
DEFAULT_LAND_MAX_ENDED_SHARE: Final = 0.2
DEFAULT_FRESHNESS_DAYS: Final = 45.0
"""A month and a half: every contract's source delivers at least monthly."""
SOURCE_NAMES: Final = ("registry", "survey", "tax", "employment", "land", "bank", "appeals")


def freshness_variable(source: str) -> str:
    return f"HUB_FRESHNESS_DAYS_{source.upper()}"


@dataclass(frozen=True)
class PipelineSettings:
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    land_max_ended_share: float = DEFAULT_LAND_MAX_ENDED_SHARE
    freshness_days: Mapping[str, float] = field(default_factory=dict)

    def freshness_window(self, source: str) -> float:
        """Days `source` may go without delivering anything new."""
        return self.freshness_days.get(source, DEFAULT_FRESHNESS_DAYS)


def _number(env: Mapping[str, str], variable: str, default: float, high: float | None) -> float:
    text = env.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= 0 and (high is None or value <= high)):
        limits = "0 or more" if high is None else f"between 0 and {high:g}"
        raise ConfigurationError(f"{variable} has value {text!r}. Not a number {limits}.")
    return value


def _freshness(env: Mapping[str, str], sources: Iterable[str]) -> dict[str, float]:
    days = {s: _number(env, freshness_variable(s), DEFAULT_FRESHNESS_DAYS, None) for s in sources}
    for source, value in days.items():
        if value == 0:
            raise ConfigurationError(
                f"{freshness_variable(source)} has value '0'. Not a number of days above 0."
            )
    return days


def load_pipeline_settings(
    environ: Mapping[str, str] | None = None, sources: Iterable[str] = SOURCE_NAMES
) -> PipelineSettings:
    env = os.environ if environ is None else environ
    return PipelineSettings(
        settle_seconds=_number(env, "HUB_FILE_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS, None),
        land_max_ended_share=_number(
            env, "HUB_LAND_MAX_ENDED_SHARE", DEFAULT_LAND_MAX_ENDED_SHARE, 1.0
        ),
        freshness_days=_freshness(env, sources),
    )
