"""The process's one ephemeral Great Expectations context, and running expectations on a frame.

GX is imported on first use (the import takes seconds) with analytics off. The context, its
pandas data source, the dataframe asset and its whole-dataframe batch definition are built
once per process and reused: each validation passes its frame as a batch parameter, so
nothing accumulates in the context between validations. A lock serialises validations
because the context is shared state and is not documented as thread-safe.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )
    from great_expectations.expectations.expectation import Expectation

SAMPLE_FAILURES: Final = 10
"""How many failing values GX keeps per expectation (SUMMARY's partial list)."""

RESULT_FORMAT: Final[dict[str, Any]] = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": SAMPLE_FAILURES,
    "include_unexpected_rows": False,
}

_DATA_SOURCE: Final = "staged"
_ASSET: Final = "staged_frame"
_BATCH: Final = "whole_frame"
_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class GxSession:
    """The cached pieces: the GX package and the batch definition frames are validated with."""

    gx: Any
    batch_definition: BatchDefinition[Any]


@cache
def open_session() -> GxSession:
    """Import GX and build the ephemeral context once per process (later calls are free)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Progress bars would write to stderr of every Dagster run.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(_DATA_SOURCE)
    asset = source.add_dataframe_asset(_ASSET)
    return GxSession(gx=gx, batch_definition=asset.add_batch_definition_whole_dataframe(_BATCH))


def run_expectations(
    frame: pd.DataFrame, expectations: Sequence[Expectation], suite_name: str
) -> list[ExpectationValidationResult]:
    """Validate `frame` against `expectations`; one result per expectation, in GX's order.

    GX catches an expectation's own errors and reports them in the result
    (`exception_info`); errors of GX itself (a broken installation) propagate.
    """
    if not expectations:
        return []
    from great_expectations.validator.v1_validator import Validator

    session = open_session()
    suite = session.gx.ExpectationSuite(name=suite_name, expectations=list(expectations))
    # The validator ValidationDefinition.run uses, without storing the suite and results in
    # the context. `Batch.validate` would build the batch twice, and GX fingerprints the
    # whole frame (hash_pandas_object + md5) for every batch it builds: ~1 s per 200k rows.
    validator = Validator(
        batch_definition=session.batch_definition,
        batch_parameters={"dataframe": frame},
        result_format=RESULT_FORMAT,
    )
    with _LOCK:
        validation = validator.validate_expectation_suite(suite)
    return list(validation.results)
