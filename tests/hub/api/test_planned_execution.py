"""Planned execution (`hub.api.planned_execution`) answers exactly as graphql-core's own.

Two ways: the API's real queries over the fixture graph, run with the planned context and
with strawberry's default one; and a small schema built to break every fast path (nulls
in non-null fields, failing serializers, raising resolvers, wrong object types), whose
responses, errors and null propagation must be identical.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError, GraphQLField
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.api.planned_execution import FieldPlan, Kind, PlannedExecutionContext, field_plan
from hub.api.relations import ToOne
from hub.api.schema import SCHEMA
from hub.api.vocabulary import Sex


def _field(type_name: str, field_name: str) -> GraphQLField:
    graphql_type = SCHEMA._schema.type_map[type_name]
    field: GraphQLField = graphql_type.fields[field_name]  # type: ignore[attr-defined]
    return field


def _plan(type_name: str, field_name: str) -> FieldPlan:
    return field_plan(_field(type_name, field_name), SCHEMA.schema_converter)


def test_plans_take_the_fast_way_only_for_plain_fields_and_info_only_resolvers() -> None:
    assert _plan("Person", "fullName").kind is Kind.LEAF
    assert _plan("Person", "fullName").attribute == "full_name"
    sex = _plan("Person", "sex").serialize
    assert sex is not None and sex(Sex.FEMALE) == "FEMALE"  # by name, as strawberry does
    with pytest.raises(GraphQLError):
        sex("X")  # not a member: strawberry's own serializer refuses it
    assert _plan("Person", "household").kind is Kind.RESOLVER
    assert _plan("PersonEdge", "node").kind is Kind.OBJECT
    assert _plan("PersonConnection", "edges").kind is Kind.OBJECT_LIST
    assert _plan("Person", "id").kind is Kind.REGULAR  # relay's global id
    assert _plan("PersonEdge", "cursor").kind is Kind.RESOLVER  # encoded lazily
    name = _plan("Person", "fullName")
    assert name.as_is is str  # a str is its own serialization
    assert _plan("Person", "birthOn").as_is is None  # a Date is serialized
    loans = _plan("Person", "loans")  # first/after/last/before: plain scalars
    assert loans.kind is Kind.RESOLVER
    assert [(g, p) for g, p, _ in loans.arguments] == [
        (n, n) for n in ("first", "after", "last", "before")
    ]
    assert all(convert is None for _, _, convert in loans.arguments)  # passed as they are
    assert _plan("District", "mahallas").kind is Kind.RESOLVER  # async resolver
    persons = _plan("Query", "persons")  # async, an input object and an input enum
    assert persons.kind is Kind.RESOLVER
    converts = {g: convert for g, _, convert in persons.arguments}
    assert converts["filter"] is not None and converts["orderBy"] is not None
    assert converts["first"] is None


API_QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        """query($pinfl: String!) { person(pinfl: $pinfl) {
          id hubId pinfl fullName surname givenName patronymic birthOn sex occupation
          householdRelation createdAt
          household { id hubId assessedCategory computedCategory categoryMismatch
            monthlyIncome plotSotix needs address { street house apartment }
            members { memberNo relation person { hubId fullName } } }
          mahalla { code name district { name region { name } } }
          taxRegistrations { totalCount edges { cursor node { tin regime isOpen } } }
          employmentHistory(first: 1) { pageInfo { hasNextPage endCursor }
            edges { node { recordNo status statusOn } } }
          landLeases { edges { node { leaseId status parcel { cadastre areaHa } } } }
          loans { edges { node { loanId programme amount issuedOn status } } }
          notebookEntries { edges { node { notebook source } } }
          appeals { edges { node { appealId topic status receivedAt } } }
          sourceRecords { edges { node { source recordKey lastSeenAt } } }
          conflicts { edges { node { attribute value survivingValue } } }
        } }""",
        {"pinfl": "31503851234566"},
    ),
    (
        """query($code: String!) { persons(filter: {mahallaCode: $code}, first: 100) {
          totalCount pageInfo { hasNextPage startCursor }
          edges { cursor node { ...who household { hubId assessedCategory } } }
        } }
        fragment who on Person { hubId fullName birthOn sex alias: pinfl }""",
        {"code": "1703202001"},
    ),
    (
        """query($code: String!, $skip: Boolean!) { mahalla(code: $code) {
          code name assistant { fullName phone } district { code @skip(if: $skip) }
          statistics {
            population households categoryMismatches
            householdsByAssessedCategory { category1 category2 category3 category4 unknown }
            employment { employed unemployed selfEmployed entrepreneurs publicWorks }
            land { activeLeases leasedAreaHa }
            loansByProgramme { programme count amount }
            notebookEntries { notebook persons }
            appeals { total open byTopic { topic appeals } }
          }
        } }""",
        {"code": "1703202001", "skip": True},
    ),
    (
        """{ regions { edges { node { code name districts { edges { node { code
          mahallas(first: 3) { edges { node { code statistics { population } } } }
        } } } } } } }""",
        {},
    ),
    (
        """query($code: String!) { households(filter: {mahallaCode: $code}) {
          edges { node { hubId needs members { relation person { hubId household { hubId } } } } }
        } }""",
        {"code": "1703202001"},
    ),
    (  # an interface: resolved by graphql-core's abstract-type path
        """{ node(id: "UGVyc29uOlAtMQ==") { id ... on Person { hubId household { hubId } } }
          nodes(ids: ["SG91c2Vob2xkOkgtMQ==", "TWFoYWxsYToxNzAzMjAyMDAx"]) {
            __typename id ... on Household { needs } ... on Mahalla { name } } }""",
        {},
    ),
    (  # one response key from several field nodes (merged), aliases, __typename
        """query($pinfl: String!) {
          person(pinfl: $pinfl) { hubId household { hubId } }
          person(pinfl: $pinfl) { fullName household { needs __typename } }
          again: person(pinfl: $pinfl) { home: household { id } place: mahalla { code }
            firstLoan: loans(first: 1) { edges { node { loanId } } } }
        }""",
        {"pinfl": "31503851234566"},
    ),
    (  # to-one relations read from a bundle (assistant, statistics) on a page
        """query($code: String!) { mahallas(filter: {districtCode: $code}, first: 100) {
          edges { node { code name assistant { fullName } district { name region { code } }
            statistics { population employment { employed } loansByProgramme { count } } } }
        } }""",
        {"code": "1703202"},
    ),
    (  # to-one relations not loaded when first met: the resolver loads them
        """{ households(filter: {mahallaCode: "1703202001"}) { edges { node {
          hubId mahalla { code district { code } statistics { households } }
          surveyedBy { fullName mahalla { name } } } } } }""",
        {},
    ),
    ('{ person(pinfl: "99999999999999") { hubId } }', {}),  # NOT_FOUND error
    ('{ node(id: "not a global id") { id } }', {}),  # BAD_USER_INPUT error
]


@pytest.mark.parametrize(("query", "variables"), API_QUERIES)
def test_the_api_answers_the_same_both_ways(
    api: Any, monkeypatch: pytest.MonkeyPatch, query: str, variables: dict[str, Any]
) -> None:
    planned = api.query(query, variables)
    monkeypatch.setattr(SCHEMA, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
    regular = api.query(query, variables)
    assert planned == regular
    assert planned.get("data") is not None or planned.get("errors")


def test_loaded_to_one_relations_are_completed_without_their_resolvers(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved: list[str] = []
    resolve = ToOne.resolve

    def counting(relation: ToOne, source: Any, info: Any) -> Any:
        resolved.append(relation.loader)
        return resolve(relation, source, info)

    monkeypatch.setattr(ToOne, "resolve", counting)
    page = """{ persons(filter: {mahallaCode: "1703202001"}, first: 100) {
      edges { node { hubId household { hubId } } } } }"""
    edges = api.data(page)["persons"]["edges"]
    assert any(edge["node"]["household"] for edge in edges)
    assert resolved == []  # the page read its households with it: all loaded
    api.data('{ household(hubId: "H-1") { mahalla { code } } }')
    assert resolved == ["mahalla"]  # not loaded yet: the resolver loads it


# -- A schema that breaks every fast path ---------------------------------------------------


@strawberry.type
class Leaf:
    name: str
    maybe: str | None
    count: int


@strawberry.type
class Holder:
    leaf: Leaf
    optional_leaf: Leaf | None
    leaves: list[Leaf]
    optional_items: list[Leaf | None]
    wrong: Leaf

    @strawberry.field
    def computed(self) -> Leaf:
        return self.leaf

    @strawberry.field
    def failing(self, info: strawberry.Info) -> Leaf | None:
        raise ValueError("the resolver failed")

    @strawberry.field
    def failing_required(self) -> Leaf:
        raise ValueError("a required resolver failed")

    @strawberry.field
    async def later(self, info: strawberry.Info) -> Leaf:
        return self.leaf

    @strawberry.field
    def computed_wrong(self) -> Leaf:  # NotALeaf in the "wrong type" case
        return self.wrong

    @strawberry.field
    def computed_leaves(self) -> list[Leaf]:  # a resolver's list: completed by plan too
        return self.leaves

    @strawberry.field
    def computed_items(self) -> list[Leaf | None] | None:
        return self.optional_items

    @strawberry.field
    def pick(self, index: int, label: str = "kept") -> Leaf | None:
        picked = self.leaves[index]  # IndexError: a located error, the field nulled
        return Leaf(name=f"{picked.name} {label}", maybe=picked.maybe, count=picked.count)


class NotALeaf:
    name = "impostor"
    maybe = None
    count = 1


def _holder(**changes: Any) -> Holder:
    values: dict[str, Any] = {
        "leaf": Leaf(name="a", maybe=None, count=1),
        "optional_leaf": None,
        "leaves": [Leaf(name="b", maybe="x", count=2), Leaf(name="c", maybe=None, count=3)],
        "optional_items": [None, Leaf(name="d", maybe=None, count=4)],
        "wrong": Leaf(name="e", maybe=None, count=5),
    }
    values.update(changes)
    return Holder(**values)


HOLDERS = {
    "fine": _holder(),
    "null leaf": _holder(leaf=Leaf(name=None, maybe=None, count=1)),  # type: ignore[arg-type]
    "bad int": _holder(leaf=Leaf(name="a", maybe=None, count="many")),  # type: ignore[arg-type]
    "null object": _holder(leaf=None),
    "null item": _holder(leaves=[Leaf(name="b", maybe=None, count=2), None]),
    "wrong type": _holder(wrong=NotALeaf()),
    "wrong item": _holder(optional_items=[NotALeaf(), None]),
    "not a list": _holder(leaves=Leaf(name="b", maybe=None, count=2)),
}


@strawberry.type
class BrokenQuery:
    @strawberry.field
    def holder(self, case: str) -> Holder | None:
        return HOLDERS[case]

    @strawberry.field
    def holders(self) -> list[Holder]:
        return list(HOLDERS.values())


SELECTION = """{ leaf { name maybe count } optionalLeaf { name } leaves { name maybe count }
  optionalItems { name } wrong { name } computed { name count } failing { name }
  later { name count } computedLeaves { name count } computedItems { name }
  computedWrong { name }
  pick(index: 0) { name } far: pick(index: 9) { name }
  labelled: pick(index: $index, label: "given") { name } }"""


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    planned = strawberry.Schema(BrokenQuery, execution_context_class=PlannedExecutionContext)
    regular = strawberry.Schema(BrokenQuery)
    return planned, regular


@pytest.mark.parametrize("case", sorted(HOLDERS))
def test_irregular_values_fail_exactly_as_graphql_core_fails_them(case: str) -> None:
    planned, regular = _schemas()
    query = "query($case: String!, $index: Int!) { holder(case: $case) " + SELECTION + " }"
    variables = {"case": case, "index": 1}
    mine = asyncio.run(planned.execute(query, variables))
    theirs = asyncio.run(regular.execute(query, variables))
    assert mine.data == theirs.data
    assert [(e.message, e.path) for e in mine.errors or []] == [
        (e.message, e.path) for e in theirs.errors or []
    ]
    if case == "fine":
        assert mine.errors is not None  # `failing` always fails; it is nulled, not fatal
        assert mine.data is not None and mine.data["holder"]["leaf"]["name"] == "a"


def test_a_failing_required_resolver_nulls_its_parent_the_same_way() -> None:
    planned, regular = _schemas()
    query = "{ holders { leaf { name } failingRequired { name } } }"
    mine = asyncio.run(planned.execute(query))
    theirs = asyncio.run(regular.execute(query))
    assert mine.data == theirs.data is None  # non-null all the way up: the whole data
    assert [(e.message, e.path) for e in mine.errors or []] == [
        (e.message, e.path) for e in theirs.errors or []
    ]


def test_a_selection_with_directives_follows_each_requests_variables(api: Any) -> None:
    # Subfields are kept across requests only for selections without directives: here the
    # same document must answer differently as $skip changes.
    query = """query($code: String!, $skip: Boolean!) { mahalla(code: $code) {
      code district { code @skip(if: $skip) name } ... on Mahalla @include(if: $skip) { name }
    } }"""
    for skip in (True, False, True):
        mahalla = api.data(query, {"code": "1703202001", "skip": skip})["mahalla"]
        assert ("code" in mahalla["district"]) is not skip
        assert ("name" in mahalla) is skip


CALLS: list[str] = []


@strawberry.type
class Part:
    label: str


@strawberry.type
class Counted:
    name: str
    maybe: str | None
    count: int
    sex: Sex

    @strawberry.field
    def main(self) -> Part:
        CALLS.append("main")
        return Part(label=self.name)

    @strawberry.field
    def parts(self) -> list[Part]:
        CALLS.append("parts")
        return [Part(label=f"{self.name}.{i}") for i in range(2)]


@strawberry.type
class CountedQuery:
    @strawberry.field
    def items(self) -> list[Counted]:
        return [Counted(name=f"n{i}", maybe=None, count=i, sex=Sex.MALE) for i in range(3)]


def test_fine_leaves_are_completed_once_by_the_compiled_selection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A non-null Int (serialized) and a non-null enum, beside a String (its own
    # serialization) and a nullable String: none of them may also go the regular way
    # (`_step`) once the compiled selection stored it. Nor may resolvers taking only
    # their object (`main`, `parts`), which it calls itself, once per object.
    regular_leaves: list[str] = []
    step = PlannedExecutionContext._step
    CALLS.clear()

    def counting_step(self: PlannedExecutionContext, *args: Any) -> Any:
        if args[-1][0] in {"name", "maybe", "count", "sex", "main", "parts", "label"}:
            regular_leaves.append(args[-1][0])
        return step(self, *args)

    monkeypatch.setattr(PlannedExecutionContext, "_step", counting_step)

    schema = strawberry.Schema(CountedQuery, execution_context_class=PlannedExecutionContext)
    query = "{ items { name maybe count sex main { label } parts { label } } }"
    result = asyncio.run(schema.execute(query))
    assert result.errors is None
    assert result.data == {
        "items": [
            {
                "name": f"n{i}",
                "maybe": None,
                "count": i,
                "sex": "MALE",
                "main": {"label": f"n{i}"},
                "parts": [{"label": f"n{i}.0"}, {"label": f"n{i}.1"}],
            }
            for i in range(3)
        ]
    }
    assert regular_leaves == []
    assert CALLS == ["main", "parts"] * 3
