"""Secondary suppression across the territory (`hub.api.access.siblings`): a mahalla's
small count cannot come back as its district's total minus the other mahallas' shown
counts, and ordering mahallas by population does not place a suppressed one."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select

from hub.api.access.siblings import SCALAR_COUNTS, withheld_by_code
from hub.api.access.suppression import suppressed
from hub.api.territory.data import (
    DISTRICT,
    INDICATORS,
    MAHALLA,
    REGION,
    TerritoryCriteria,
    TerritoryOrder,
    territory_list_order,
)

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase


def _record(**counts: Any) -> SimpleNamespace:
    """A statistics record with every count 0 but `counts`."""
    values: dict[str, Any] = dict.fromkeys(SCALAR_COUNTS, 0)
    dicts = ("households_by_assessed_category", "households_by_computed_category")
    values.update({key: {} for key in dicts})
    values.update(loans_by_program={}, notebook_entries={}, appeals_by_topic={})
    values.update(counts)
    return SimpleNamespace(**values)


def test_a_lone_small_mahalla_takes_its_smallest_sibling_with_it() -> None:
    populations = {"a": 3, "b": 50, "c": 40, "d": 12, "e": 0}
    siblings = {code: _record(population=p, employed=20) for code, p in populations.items()}
    withheld = withheld_by_code(siblings, 10)
    assert {code for code, keys in withheld.items() if "population" in keys} == {"a", "d"}
    # The district's total minus the populations still shown covers both: 15, not 3.
    total = sum(populations.values())
    shown = sum(p for code, p in populations.items() if "population" not in withheld[code])
    assert total - shown == 3 + 12
    # Counts with no small sibling withhold nothing.
    assert not any("employed" in keys for keys in withheld.values())


def test_two_small_mahallas_cover_each_other() -> None:
    siblings = {"a": _record(unemployed=3), "b": _record(unemployed=4), "c": _record(unemployed=70)}
    withheld = withheld_by_code(siblings, 10)
    assert withheld["c"] == frozenset()
    assert withheld["a"] == withheld["b"] == {"unemployed"}


def test_breakdowns_are_weighed_across_siblings_too() -> None:
    siblings = {
        "a": _record(households_by_assessed_category={"1": 2, "2": 40}),
        "b": _record(households_by_assessed_category={"1": 30, "2": 40}),
        "c": _record(households_by_assessed_category={"1": 25, "2": 40}),
    }
    withheld = withheld_by_code(siblings, 10)
    assert withheld == {"a": {"assessed:1"}, "b": frozenset(), "c": {"assessed:1"}}
    categories = {"category1": 25, "category2": 40, "category3": 0, "category4": 0, "unknown": 0}
    counts = SimpleNamespace(**categories, group="assessed", withheld=withheld["c"])
    assert suppressed("HouseholdCategoryCounts", "category1", counts, 10)
    assert not suppressed("HouseholdCategoryCounts", "category2", counts, 10)


def test_a_withheld_count_is_suppressed_whatever_its_size() -> None:
    statistics = SimpleNamespace(population=12, households=40, withheld={"population"})
    assert suppressed("Statistics", "population", statistics, 10)
    assert not suppressed("Statistics", "households", statistics, 10)
    land = SimpleNamespace(active_leases=30, leased_area_ha=4.5, withheld={"active_leases"})
    assert suppressed("LandStatistics", "leasedAreaHa", land, 10)
    appeals = SimpleNamespace(total=30, open=12, withheld={"appeals_open"})
    assert suppressed("AppealStatistics", "open", appeals, 10)
    assert not suppressed("AppealStatistics", "total", appeals, 10)


def _insert(connection: Any, table: Table, **values: Any) -> None:
    """A row of `table` with `values`, every other required column a plain value."""
    for column in table.c:
        if column.name in values or column.nullable or column.default is not None:
            continue
        if column.server_default is not None or (column.primary_key and column.autoincrement):
            continue
        python_type = column.type.python_type
        plain: dict[type, Any] = {str: "x", int: 0, float: 0.0, dict: {}, list: []}
        values[column.name] = plain.get(python_type, datetime(2024, 1, 1, tzinfo=UTC))
    connection.execute(insert(table).values(**values))


def test_ordering_mahallas_by_population_places_hidden_ones_as_unknown(
    graph_db: GraphDatabase,
) -> None:
    populations = {"1799901001": 3, "1799901002": 50, "1799901003": 40, "1799901004": 12}
    populations["1799901005"] = 0
    with graph_db.engine.begin() as connection:
        _insert(connection, REGION, code="1799", name="R")
        _insert(connection, DISTRICT, code="1799901", region_code="1799", name="D")
        for code, population in populations.items():
            _insert(connection, MAHALLA, code=code, district_code="1799901", name=code)
            _insert(connection, INDICATORS, mahalla_code=code, population=population)

    def ordered(descending: bool, threshold: int | None) -> list[str]:
        criteria = TerritoryCriteria(
            order=TerritoryOrder.POPULATION, descending=descending, public_threshold=threshold
        )
        stmt = select(MAHALLA.c.code).order_by(*territory_list_order("mahalla", criteria))
        with graph_db.engine.connect() as connection:
            return list(connection.scalars(stmt, {"public_threshold": threshold}))

    a, b, c, d, e = sorted(populations)  # populations 3, 50, 40, 12, 0
    # Shown: 0, 40, 50; the small 3 and its withheld sibling 12 last, by code.
    assert ordered(False, 10) == [e, c, b, a, d]
    assert ordered(True, 10) == [b, c, e, d, a]
    # Callers who see the counts get the true order.
    assert ordered(False, None) == [e, a, d, c, b]
