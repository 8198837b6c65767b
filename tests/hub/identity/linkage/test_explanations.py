"""Every decided link carries its waterfall: prior plus one row per comparison."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from hub.identity.linkage import EXPLANATION_SCHEMA, resolve_identities
from hub.identity.linkage.settings import COMPARISONS
from tests.hub.identity.linkage.mentions import frame, mention, pinfl

pytestmark = pytest.mark.slow


def test_a_linked_pair_is_explained_comparison_by_comparison_summing_to_its_weight() -> None:
    born = date(1985, 4, 23)
    number = pinfl(born, "M", 51)
    rows = [
        mention(
            "survey",
            "SV-1/1",
            full_name="Yusupov Sardor Bobur o'g'li",
            pinfl=number,
            birth_on=born,
            sex="M",
            household_key="SV-1",
        ),
        mention(
            "bank", "B1", full_name="YUSUPOV S.B.", pinfl=None, birth_on=born, passport="AA1234567"
        ),
    ]
    result = resolve_identities(frame(*rows))
    assert result.explanations.schema == pl.Schema(EXPLANATION_SCHEMA)
    linked = result.assignments.filter(pl.col("method") == "probabilistic")
    assert linked.height == 2
    bank = result.explanations.filter(pl.col("mention_id") == "bank/B1")
    names = set(bank["comparison"])
    assert {"prior", *(c["output_column_name"] for c in COMPARISONS)} <= names
    birth = bank.filter(pl.col("comparison") == "birth")
    assert birth["level"][0] == "equal"
    assert birth["log2_bayes_factor"][0] > 0
    weight = linked.filter(pl.col("mention_id") == "bank/B1")["match_weight"][0]
    assert bank["log2_bayes_factor"].sum() == pytest.approx(weight, abs=1e-6)
