"""Scoring skips Splink's settings validation, so the shipped model is validated here: every
column it names is one the linker is given (`LINKER_COLUMNS`)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hub.identity.linkage import load_latest_model
from hub.identity.linkage.adapt import adapt_settings
from hub.identity.linkage.features import mention_features
from hub.identity.linkage.splink_session import open_linker
from tests.hub.identity.linkage.mentions import frame, mention

VALIDATION = "SETTINGS VALIDATION"


FEATURES = mention_features(
    frame(mention("survey", "1", surname="Karimov"), mention("tax", "2", surname="Karimova"))
)


def _model_settings() -> dict[str, Any]:
    """The shipped model's settings as scoring gives them to the linker."""
    settings = adapt_settings(load_latest_model().settings, FEATURES)
    return settings | {"retain_intermediate_calculation_columns": True}


def _validation_logs(settings: dict[str, Any], caplog: pytest.LogCaptureFixture) -> list[str]:
    with caplog.at_level(logging.WARNING, logger="splink"):
        open_linker(FEATURES, settings, validate=True)
    return [record.getMessage() for record in caplog.records if record.name.startswith("splink")]


def test_the_shipped_model_names_only_columns_the_linker_is_given(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logs = _validation_logs(_model_settings(), caplog)
    assert not [m for m in logs if VALIDATION in m], logs


def test_a_model_naming_a_column_the_linker_lacks_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _model_settings()
    rule = {"blocking_rule": "l.no_such_column = r.no_such_column", "sql_dialect": "duckdb"}
    broken = settings | {"blocking_rules_to_generate_predictions": [rule]}
    logs = _validation_logs(broken, caplog)
    assert any(VALIDATION in m for m in logs)
    assert any("no_such_column" in m for m in logs)
