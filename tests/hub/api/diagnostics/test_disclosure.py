"""Which of a month's figures the public does not see (no database)."""

from __future__ import annotations

from hub.api.diagnostics.disclosure import hidden_figures, leader_of


def test_a_small_count_is_hidden_and_zero_is_shown() -> None:
    assert hidden_figures({"placed": 3.0, "unemployed": 0.0, "households": 40.0}, 10) == {"placed"}


def test_with_one_small_part_the_next_smallest_part_is_hidden_too() -> None:
    figures = {
        "appeals.received": 30.0,
        "appeals.received.gas": 2.0,
        "appeals.received.power": 12.0,
        "appeals.received.water": 16.0,
    }
    assert hidden_figures(figures, 10) == {"appeals.received.gas", "appeals.received.power"}


def test_a_figure_follows_the_count_of_the_records_it_describes() -> None:
    figures = {
        "loans.count.youth": 3.0,
        "loans.sum_uzs.youth": 90_000_000.0,
        "loans.count.women": 20.0,
        "loans.sum_uzs.women": 500_000_000.0,
        "appeals.resolved": 4.0,
        "appeals.median_days": 6.0,
        "appeals.resolution_rate": 0.2,
    }
    hidden = hidden_figures(figures, 10)
    # youth: small; women: the next smallest part, hidden with it.
    assert hidden == {
        "loans.count.youth",
        "loans.sum_uzs.youth",
        "loans.count.women",
        "loans.sum_uzs.women",
        "appeals.resolved",
        "appeals.median_days",
        "appeals.resolution_rate",
    }


def test_a_figure_whose_count_is_missing_is_hidden() -> None:
    assert hidden_figures({"land.hectares": 12.5}, 10) == {"land.hectares"}


def test_leaders() -> None:
    assert leader_of("land.hectares.orchard") == "land.leases.orchard"
    assert leader_of("loans.overdue_share") == "loans.overdue_to_date"
    assert leader_of("households") is None
