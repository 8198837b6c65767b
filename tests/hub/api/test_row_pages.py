"""Pages completed straight from their rows (`hub.api.row_pages`) answer exactly as the
regular way: the shapes agree with the nodes' `of` and resolvers on every row of the
fixture graph, compiled pages are the same responses as graphql-core's own execution,
selections the compiled functions do not cover and irregular rows go the regular way,
and the planned execution takes completed edges only for the field node they were made
for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pytest
import strawberry
from graphql import FieldNode, NameNode, parse
from sqlalchemy import Connection
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.api import row_pages
from hub.api.pagination import CompletedEdges
from hub.api.people import data as people
from hub.api.people import queries as people_queries
from hub.api.people.types import (
    PERSON_HOUSEHOLD_ROWS,
    PERSON_ROWS,
    HouseholdNode,
    PersonNode,
)
from hub.api.planned_execution import PlannedExecutionContext
from hub.api.records import record_fields
from hub.api.relations import ToOne
from hub.api.row_pages import RowShape
from hub.api.schema import SCHEMA
from hub.api.territory import bundles, data
from hub.api.territory import queries as territory_queries
from hub.api.territory.statistics_types import Statistics
from hub.api.territory.types import (
    AssistantNode,
    DistrictNode,
    MahallaNode,
    RegionNode,
    mahalla_rows,
)

if TYPE_CHECKING:
    pass


def _converted(value: Any, conversion: Any) -> Any:
    """What a compiled function makes of a stored value (a null stays null); an Enum
    conversion is the enum's member of that value."""
    return value if value is None or conversion is None else conversion(value)


def _agree(node: Any, shape: RowShape, row: Sequence[Any], related: Callable[[ToOne], Any]) -> int:
    """Assert that `shape` reads from `row` what `node` holds; the number of values
    compared. `related(relation)` is the node the relation leads to (None: absent)."""
    compared = 0
    for attribute, (index, conversion) in shape.columns.items():
        assert _converted(row[index], conversion) == getattr(node, attribute), attribute
        compared += 1
    for relation, (shape_of, present) in shape.relations.items():
        other = related(relation)
        assert (row[present] is None) == (other is None), relation.loader
        if other is not None:
            compared += _agree(other, shape_of, row, related)
    for resolver, made in shape.objects.items():
        compared += _agree(resolver(node), made, row, related)
    for resolver, (index, items_of, item_shape) in shape.lists.items():
        items = resolver(node)
        tuples = list(items_of(row[index]))
        assert len(items) == len(tuples), resolver.__name__
        for item, values in zip(items, tuples, strict=True):
            compared += _agree(item, item_shape, values, related)
    return compared


def test_person_shapes_agree_with_the_nodes_of_every_row(connection: Connection) -> None:
    criteria = people.PersonCriteria()
    rows = people.fetch_person_rows(connection, criteria, 0, 10_000, households=True)
    pairs = people.persons_with_households(rows)
    assert len(rows) > 5 and any(h for _, h in pairs)
    compared = 0
    for row, (person, household) in zip(rows, pairs, strict=True):
        node = PersonNode.of(person)
        home = None if household is None else HouseholdNode.of(household)
        compared += _agree(node, PERSON_HOUSEHOLD_ROWS, row, lambda _, home=home: home)
        compared += _agree(node, PERSON_ROWS, row, lambda _: None)
    assert compared > 20 * len(rows)


def test_mahalla_shapes_agree_with_the_nodes_and_resolvers_of_every_row(
    connection: Connection,
) -> None:
    parts = frozenset(bundles.PARTS)
    shape = mahalla_rows(parts)
    rows = bundles.fetch_mahalla_page_rows(connection, data.TerritoryCriteria(), 0, 10_000, parts)
    assert len(rows) > 2
    seen_statistics = seen_loans = False
    for row in rows:
        bundle = bundles.bundle_of(row, parts)
        nodes: dict[str, Any] = {
            "district": None if bundle.district is None else DistrictNode.of(bundle.district),
            "region": None if bundle.region is None else RegionNode.of(bundle.region),
            "current_assistant": None
            if bundle.assistant is None
            else AssistantNode.of(bundle.assistant),
            "mahalla_statistics": None
            if bundle.statistics is None
            else Statistics.of(bundle.statistics),
        }
        _agree(MahallaNode.of(bundle.mahalla), shape, row, lambda r, n=nodes: n[r.loader])
        if bundle.statistics is not None:
            seen_statistics = True
            seen_loans = seen_loans or bool(bundle.statistics.loans_by_program)
    assert seen_statistics and seen_loans


@pytest.mark.parametrize("order", list(data.TerritoryOrder))
@pytest.mark.parametrize("descending", [False, True])
def test_a_page_of_mahalla_rows_is_the_same_page_whatever_it_joins(
    connection: Connection, order: data.TerritoryOrder, descending: bool
) -> None:
    # Ordering by population joins the indicators once more, beside the shown statistics.
    criteria = data.TerritoryCriteria(order=order, descending=descending)
    everything = frozenset(bundles.PARTS)
    total = data.count_mahallas(connection, criteria)
    for offset, limit in ((0, 100), (1, 2)):
        pages = [
            [
                bundles.bundle_of(row, parts).mahalla
                for row in bundles.fetch_mahalla_page_rows(
                    connection, criteria, offset, limit, parts
                )
            ]
            for parts in (frozenset(), everything)
        ]
        assert pages[0] == pages[1] and len(pages[0]) == min(limit, total - offset)
    if order is data.TerritoryOrder.POPULATION:  # by population (none: 0), then code
        rows = bundles.fetch_mahalla_page_rows(connection, criteria, 0, 100, everything)
        found = [bundles.bundle_of(row, everything) for row in rows]
        expected = sorted(
            found,
            key=lambda b: (b.statistics.population if b.statistics else 0, b.mahalla.code),
            reverse=descending,
        )
        assert [b.mahalla.code for b in found] == [b.mahalla.code for b in expected]


# -- Responses, compiled and regular ---------------------------------------------------------

COMPILED_QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        """query($code: String!) { persons(filter: {mahallaCode: $code}, first: 100) {
          totalCount pageInfo { hasNextPage startCursor endCursor }
          edges { cursor __typename at: cursor node { __typename hubId pinfl name: fullName
            surname givenName patronymic birthOn sex occupation mahallaCode createdAt
            updatedAt lastConfirmedAt household { __typename hubId surveyId mahallaCode
              surveyedOn assessedCategory computedCategory monthlyIncome plotSotix
              lastConfirmedAt } } }
        } }""",
        {"code": "1703202001"},
    ),
    (
        """{ persons(first: 2, after: "b2Zmc2V0OjA=", orderBy: {field: NAME}) {
          edges { node { hubId fullName sex } } } }""",
        {},
    ),
    (
        """query($code: String!) { mahallas(filter: {districtCode: $code}, first: 100) {
          edges { cursor node { __typename code name stir lastConfirmedAt
            district { code name region { code name nameRu isoCode } }
            assistant { fullName phone mahallaCode appointedOn isCurrent }
            statistics { population households categoryMismatches computedAt
              employment { employed unemployed selfEmployed entrepreneurs publicWorks
                inTraining }
              land { activeLeases leasedAreaHa }
              loansByProgramme { __typename programme count amount }
              notebookEntries { notebook persons }
              appeals { total open byTopic { topic appeals } } } } }
        } }""",
        {"code": "1703202"},
    ),
    (
        """{ mahallas(orderBy: {field: POPULATION, direction: DESC}, first: 3) {
          edges { node { code statistics { population } } } } }""",
        {},
    ),
    ("{ mahallas(first: 5) { edges { node { code name } } } }", {}),  # nothing joined
]

REGULAR_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("{ persons(first: 5) { edges { node { ...p } } } } fragment p on Person { hubId }", {}),
    (
        """query($x: Boolean!) { persons(first: 5) { edges { node { hubId @include(if: $x)
          } } } }""",
        {"x": True},
    ),
    ("{ persons(first: 5) { edges { node { id hubId } } } }", {}),  # a relay global id
    ("{ persons(first: 5) { edges { node { household { categoryMismatch needs } } } } }", {}),
    ("{ persons(first: 5) { edges { node { mahalla { code } } } } }", {}),  # not joined
    ("{ persons(first: 5) { edges { node { loans(first: 1) { totalCount } } } } }", {}),
    ("{ persons(first: 5) { edges { node { hubId } } edges { node { fullName } } } }", {}),
    ("{ persons(first: 5) { e: edges { node { hubId } } edges { cursor } } }", {}),
    (
        """{ mahallas(first: 5) { edges { node { statistics { mahallaCount
          householdsByAssessedCategory { category1 } } } } } }""",
        {},
    ),
]


class _Spy:
    """Records, for each page a resolver asks to complete, whether it was compiled and
    whether its rows were completed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.outcomes: list[tuple[bool, bool]] = []
        real = row_pages.completed_edges

        def spied(info: Any, shape: RowShape) -> Any:
            build = real(info, shape)
            if build is None:
                self.outcomes.append((False, False))
                return None

            def run(rows: Sequence[Sequence[Any]], start: int) -> Any:
                done = build(rows, start)
                self.outcomes.append((True, done is not None))
                return done

            return run

        for module in (people_queries, territory_queries):
            monkeypatch.setattr(module, "completed_edges", spied)


def _both_ways(api: Any, monkeypatch: pytest.MonkeyPatch, query: str, variables: Any) -> Any:
    planned = api.query(query, variables)
    with monkeypatch.context() as regular:
        regular.setattr(SCHEMA, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
        assert api.query(query, variables) == planned
    return planned


@pytest.mark.parametrize(
    ("query", "variables", "compiled"),
    [*((q, v, True) for q, v in COMPILED_QUERIES), *((q, v, False) for q, v in REGULAR_QUERIES)],
)
def test_pages_answer_as_the_regular_way_compiled_or_not(
    api: Any,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    variables: dict[str, Any],
    compiled: bool,
) -> None:
    spy = _Spy(monkeypatch)
    body = _both_ways(api, monkeypatch, query, variables)
    assert "errors" not in body and body["data"]
    # Compiled (or not), and then completed from its rows (or not).
    assert spy.outcomes[0] == (compiled, compiled)
    # The regular execution never asks for completed edges.
    assert spy.outcomes[1:] and all(not asked for asked, _ in spy.outcomes[1:])


def _persons_builder(selection: str) -> row_pages.EdgesBuilder:
    document = parse(f"{{ persons(first: 5) {{ edges {{ node {{ {selection} }} }} }} }}")
    node = document.definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
    return_type = SCHEMA._schema.query_type.fields["persons"].type  # type: ignore[union-attr]
    build = row_pages._compile(node, return_type, PERSON_HOUSEHOLD_ROWS, SCHEMA.schema_converter)
    assert build is not None
    return build


@pytest.mark.parametrize(
    ("selection", "column", "bad"),
    [
        ("sex", "sex", "X"),  # not a member of the enum
        ("fullName", "full_name", None),  # a null in a non-null field
        ("fullName", "full_name", 7),  # not a string
        ("birthOn", "birth_on", "2001-01-01"),  # a Date's serializer refuses a str
        ("household { assessedCategory }", "assessed_category", 2**40),  # beyond an Int
        ("household { assessedCategory }", "assessed_category", 1.5),  # not an integer
        ("household { monthlyIncome }", "monthly_income_uzs", "many"),  # not an integer
    ],
)
def test_a_page_with_an_irregular_value_is_not_completed(
    connection: Connection, selection: str, column: str, bad: Any
) -> None:
    build = _persons_builder(selection)
    rows = people.fetch_person_rows(connection, people.PersonCriteria(), 0, 100, households=True)
    rows = [row for row in rows if row[people.HOUSEHOLD_AT] is not None]
    completed = build(rows, 0)
    assert isinstance(completed, CompletedEdges) and len(completed.items) == len(rows)
    fields = record_fields(people.PersonRecord)
    households = record_fields(people.HouseholdRecord)
    at = (
        fields.index(column)
        if column in fields and "household" not in selection
        else people.HOUSEHOLD_AT + households.index(column)
    )
    broken = list(rows[-1])
    broken[at] = bad
    assert build([*rows[:-1], tuple(broken)], 0) is None


@pytest.mark.parametrize(
    ("column", "bad", "path"),
    [
        # A value outside the enum: a data-layer defect, masked and logged by the resolver.
        ("sex", "X", ["persons"]),
        # A null in a non-null field: graphql-core's null propagation.
        ("full_name", None, ["persons", "edges", 0, "node", "fullName"]),
    ],
)
def test_an_irregular_row_is_answered_by_the_regular_way(
    api: Any, monkeypatch: pytest.MonkeyPatch, column: str, bad: Any, path: list[Any]
) -> None:
    real = people.fetch_person_rows
    at = record_fields(people.PersonRecord).index(column)

    def corrupted(*args: Any, **kwargs: Any) -> Sequence[Sequence[Any]]:
        rows = [list(row) for row in real(*args, **kwargs)]
        rows[0][at] = bad
        return [tuple(row) for row in rows]

    monkeypatch.setattr(people, "fetch_person_rows", corrupted)
    spy = _Spy(monkeypatch)
    query = "{ persons(first: 3) { edges { node { fullName sex } } } }"
    body = _both_ways(api, monkeypatch, query, {})
    assert spy.outcomes[0] == (True, False)  # compiled, but not completed from the rows
    (error,) = body["errors"]
    assert error["path"] == path


# -- The planned execution takes completed edges only for their field node -------------------


@strawberry.type
class Item:
    name: str


@strawberry.type
class Page:
    edges: list[Item]


def _edges_node(info: strawberry.Info) -> FieldNode:
    selection_set = info._raw_info.field_nodes[0].selection_set
    assert selection_set is not None
    (edges,) = [s for s in selection_set.selections if isinstance(s, FieldNode)]
    return edges


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: strawberry.Info) -> Page:
        return Page(edges=CompletedEdges(_edges_node(info), [{"name": "ready"}]))  # type: ignore[arg-type]

    @strawberry.field
    def elsewhere(self, info: strawberry.Info) -> Page:
        other = FieldNode(name=NameNode(value="edges"))
        return Page(edges=CompletedEdges(other, [{"name": "stray"}]))  # type: ignore[arg-type]


def test_completed_edges_are_taken_only_for_their_field_node() -> None:
    planned = strawberry.Schema(Query, execution_context_class=PlannedExecutionContext)
    regular = strawberry.Schema(Query)
    result = planned.execute_sync("{ page { edges { name } } }")
    assert result.errors is None and result.data == {"page": {"edges": [{"name": "ready"}]}}
    for schema, query in (
        (planned, "{ elsewhere { edges { name } } }"),
        (regular, "{ page { edges { name } } }"),
    ):
        result = schema.execute_sync(query)
        assert result.errors and "Expected Iterable" in result.errors[0].message, query
