"""Small counts and the parts of a total that would give one back (hub.api.access.suppression)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hub.api.access.suppression import hidden_parts, suppressed
from hub.api.settings import load_api_settings
from hub.config import ConfigurationError


def test_a_small_count_is_hidden_and_a_zero_or_a_large_one_is_not() -> None:
    assert hidden_parts({"a": 0, "b": 10, "c": 9}, 10) == {"c", "b"}
    assert hidden_parts({"a": 0, "b": 10, "c": 11}, 10) == set()
    assert hidden_parts({"a": 1, "b": 2, "c": 50}, 10) == {"a", "b"}


def test_a_lone_small_part_takes_the_next_smallest_non_zero_part_with_it() -> None:
    parts = {"category1": 3, "category2": 50, "category3": 40, "category4": 0, "unknown": 12}
    hidden = hidden_parts(parts, 10)
    assert hidden == {"category1", "unknown"}
    # The total minus the parts still shown no longer gives any hidden part alone.
    total = sum(parts.values())
    shown = sum(v for k, v in parts.items() if k not in hidden)
    assert total - shown == 15 and all(parts[k] != 15 for k in hidden)


def test_figures_follow_the_count_of_the_same_records() -> None:
    few = SimpleNamespace(count=2, amount=3_000_000, programme="microloan")
    many = SimpleNamespace(count=12, amount=3_000_000, programme="microloan")
    assert suppressed("ProgrammeFinancing", "amount", few, 10)
    assert not suppressed("ProgrammeFinancing", "amount", many, 10)
    leases = SimpleNamespace(active_leases=1, leased_area_ha=0.12)
    assert suppressed("LandStatistics", "leasedAreaHa", leases, 10)


def test_the_topics_of_appeals_are_weighed_together() -> None:
    counts = {"gas": 4, "water": 20, "roads": 30}
    water = SimpleNamespace(key="water", counts=counts)
    roads = SimpleNamespace(key="roads", counts=counts)
    assert suppressed("TopicCount", "appeals", water, 10)
    assert not suppressed("TopicCount", "appeals", roads, 10)


def test_the_threshold_is_a_setting() -> None:
    assert load_api_settings({}).suppression_threshold == 10
    assert load_api_settings({"HUB_API_SUPPRESSION_THRESHOLD": "5"}).suppression_threshold == 5
    with pytest.raises(ConfigurationError, match="HUB_API_SUPPRESSION_THRESHOLD"):
        load_api_settings({"HUB_API_SUPPRESSION_THRESHOLD": "ten"})
