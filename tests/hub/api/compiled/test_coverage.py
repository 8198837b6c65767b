"""Which selections the compiler covers, and which go the regular way (and why).

The lists below are the coverage: a selection moved from REGULAR to COMPILED is progress,
and a test that fails the other way is a regression. No database is needed: this is the
walk and the statement building alone (`compile_root`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from graphql import GraphQLError, parse
from graphql.execution.collect_fields import collect_fields

from hub.api.access.rule_lookup import rule_of
from hub.api.compiled.execution import CompiledExecutionContext, compile_root
from hub.api.compiled.json_sql import NotCompiled
from hub.api.principal import PERSONAL_SCOPE, SCOPES, Principal, Role
from hub.api.schema import SCHEMA

from ..conftest import DEFAULT_PRINCIPAL, ENGINEER
from .corpus import MAIN_PINFL, _benchmark_queries

BENCHMARK_VARIABLES = [
    {"pinfl": MAIN_PINFL},
    {"code": "1703202001"},
    {"code": "1703203001"},
    {"code": "1703202"},
]

PERSON = "hubId fullName sex household { hubId needs address { street } } mahalla { name }"
# Selections the compiler answers on PostgreSQL (root field: document).
COMPILED = {
    "person": f'{{ person(pinfl: "{MAIN_PINFL}") {{ {PERSON} loans {{ totalCount }} }} }}',
    "persons": f"{{ persons(first: 5) {{ edges {{ cursor node {{ {PERSON} }} }} }} }}",
    "household": '{ household(hubId: "H-1") { hubId members { edges { node { relation } } } } }',
    "households": "{ households { totalCount pageInfo { hasNextPage } } }",
    "region": '{ region(code: "1703") { name districts { edges { node { name } } } } }',
    "regions": "{ regions { edges { node { code isoCode } } } }",
    "district": '{ district(code: "1703202") { name region { name } mahallas { totalCount } } }',
    "districts": "{ districts(first: 2) { edges { node { code } } } }",
    "mahalla": '{ mahalla(code: "1703202001") { statistics { loansByProgramme { amount } } } }',
    "mahallas": "{ mahallas(orderBy: {field: POPULATION}) { edges { node { code } } } }",
    "deliveries": '{ deliveries(source: "bank", first: 1) { edges { node { deliveryId } } } }',
    "byHubId": '{ byHubId: person(hubId: "P-1") { hubId fullName loans { totalCount } } }',
    "personNode": '{ personNode: node(id: "UGVyc29uOlAtMQ==") { id ... on Person { hubId } } }',
    "nodes": '{ nodes(ids: ["UGVyc29uOlAtMQ==", "SG91c2Vob2xkOkgtMQ=="]) { id '
    "... on Person { hubId } ... on Household { hubId members { totalCount } } } }",
    "unlinkedMentions": "{ unlinkedMentions { totalCount } }",
    "borderlineLinks": "{ borderlineLinks { totalCount } }",
    "notSurveyed": '{ notSurveyed(mahallaCode: "1703202001") { totalCount } }',
    "sources": "{ sources { source } }",
    "quarantine": "{ quarantine { counts { count } } }",
    "districtSums": '{ districtSums: district(code: "1703202") { statistics { population '
    "mahallaCount householdsByAssessedCategory { category1 } loansByProgramme { amount } } } }",
    "regionSums": '{ regionSums: region(code: "1703") { statistics { computedAt '
    "land { leasedAreaHa } appeals { byTopic { topic appeals } } } } }",
    "recordLink": f'{{ recordLink: person(pinfl: "{MAIN_PINFL}") '
    "{ sourceRecords { edges { node { link { method matchWeight linkedAt "
    "matchedRecord { recordKey } contributions { comparison level log2BayesFactor } } } } } } }",
    "leaseHousehold": f'{{ leaseHousehold: person(pinfl: "{MAIN_PINFL}") '
    "{ landLeases { edges { node { household { hubId } } } } } }",
    "compositeIds": f'{{ compositeIds: person(pinfl: "{MAIN_PINFL}") '
    "{ notebookEntries { edges { node { id } } } sourceRecords { edges { node { id } } } "
    "conflicts { edges { node { id } } } } }",
    "plotLeases": '{ plotLeases: household(hubId: "H-1") { plotLeases { leaseId startOn } } }',
    "businessSources": f'{{ businessSources: person(pinfl: "{MAIN_PINFL}") '
    "{ landLeases { edges { node { business { tin sources { source recordKey role } } } } } } }",
    "backward": "{ backward: persons(last: 2) { edges { node { hubId } } } }",
    "node": '{ node(id: "SG91c2Vob2xkOkgtMQ==") { id ... on Household { hubId } '
    "... on Person { fullName } } }",
    # The diagnostics (issue 18), read from their precomputed tables.
    "countryMonthly": '{ countryMonthly(from: "2022-01", to: "2022-12") '
    "{ month figures { name value } } }",
    "districtMonthly": '{ districtMonthly: district(code: "1703202") '
    '{ monthly(from: "2022-01", to: "2022-12") { month } } }',
    "mahallaDiagnoses": '{ mahallaDiagnoses: mahalla(code: "1703202001") { '
    "categoryDisagreements { totalCount } notebookFindings { totalCount } "
    'assistantRating(quarter: "2022-Q1") { score } } }',
    "assistantRatings": '{ assistantRatings(quarter: "2022-Q1") { totalCount } }',
    "bodyRatings": '{ bodyRatings(quarter: "2022-Q1") { totalCount } }',
}
# Selections that go the regular way on PostgreSQL too, with the reason.
REGULAR = {
    "node of a malformed id": '{ node(id: "not base64!") { id } }',
    "nodes with a malformed id": '{ nodes(ids: ["UGVyc29uOlAtMQ==", "nope"]) { id } }',
    "a month's figures by the names asked for": '{ countryMonthly(from: "2022-01", '
    'to: "2022-12") { figures(names: ["placed"]) { value } } }',
}
# On SQLite (3.40: no ordered JSON aggregates, no base64), only selections without lists,
# cursors or relay ids compile.
SQLITE_COMPILED = {
    "assistantRatings",
    "bodyRatings",
    "borderlineLinks",
    "byHubId",
    "district",
    "households",
    "mahallaDiagnoses",
    "notSurveyed",
    "unlinkedMentions",
}


def principal_for(root: str) -> Principal:
    """Who asks for the root field `root` in these tests: the engineer for the fields an
    agency may not read (the rule table's), else the tests' agency with every scope."""
    return DEFAULT_PRINCIPAL if rule_of("Query", root).agency.allowed else ENGINEER


def compiled_roots(
    text: str,
    variables: dict[str, Any] | None = None,
    dialect: str = "postgresql",
    principal: Principal | None = None,
) -> dict[str, str | None]:
    """Each root field of `text`: None when it compiles, else why it does not."""
    context = CompiledExecutionContext.build(
        SCHEMA._schema,
        parse(text),
        raw_variable_values=variables or {},
        context_value=SimpleNamespace(principal=DEFAULT_PRINCIPAL),
    )
    assert not isinstance(context, list), context
    query_type = SCHEMA._schema.query_type
    assert query_type is not None
    fields = collect_fields(
        SCHEMA._schema,
        context.fragments,
        context.variable_values,
        query_type,
        context.operation.selection_set,
    )
    outcome: dict[str, str | None] = {}
    for name, nodes in fields.items():
        asking = principal or principal_for(nodes[0].name.value)
        context.context_value = SimpleNamespace(principal=asking)
        try:
            compile_root(context, dialect, query_type, nodes)
            outcome[name] = None
        except NotCompiled as exc:
            outcome[name] = str(exc)
    return outcome


@pytest.mark.parametrize(
    ("text", "variables"), list(zip(_benchmark_queries(), BENCHMARK_VARIABLES, strict=True))
)
def test_the_benchmark_queries_compile_on_postgresql(text: str, variables: dict[str, Any]) -> None:
    assert set(compiled_roots(text, variables).values()) == {None}


@pytest.mark.parametrize("root", sorted(COMPILED))
def test_every_covered_root_field_compiles_on_postgresql(root: str) -> None:
    assert compiled_roots(COMPILED[root]) == {root: None}


@pytest.mark.parametrize("reason", sorted(REGULAR))
def test_these_selections_go_the_regular_way(reason: str) -> None:
    (outcome,) = compiled_roots(REGULAR[reason]).values()
    assert outcome is not None, reason


@pytest.mark.parametrize("root", sorted(COMPILED))
def test_on_sqlite_selections_without_lists_compile(root: str) -> None:
    (outcome,) = compiled_roots(COMPILED[root], dialect="sqlite").values()
    assert (outcome is None) == (root in SQLITE_COMPILED), outcome


def test_a_rejected_argument_goes_the_regular_way_which_raises_the_error() -> None:
    for text in (
        '{ person(pinfl: "12") { hubId } }',
        '{ mahalla(code: "17") { name } }',
        "{ persons(first: 101) { totalCount } }",
        '{ persons(after: "nope") { totalCount } }',
        "{ persons(filter: {householdCategory: 9}) { totalCount } }",
    ):
        (outcome,) = compiled_roots(text).values()
        assert outcome is not None, text


def test_an_invalid_document_is_not_compiled_at_all() -> None:
    with pytest.raises(GraphQLError):
        parse("{ person(")


PUBLIC = Principal("coverage-public", Role.PUBLIC)
NO_PERSONAL = Principal("coverage-agency", Role.AGENCY, SCOPES - {PERSONAL_SCOPE})
DISTRICT = Principal("coverage-district", Role.AGENCY, SCOPES, district_code="1703202")
TAX_ONLY = Principal("coverage-tax", Role.AGENCY, frozenset({"tax", PERSONAL_SCOPE}))


MONTHS = 'from: "2022-01", to: "2022-02"'
PLOT_HOUSEHOLD = "plotLeases { household { hubId } }"
FINDINGS = "notebookFindings { edges { node { kind reason person { hubId } } } }"


def test_what_each_caller_sees_whole_compiles_and_the_rest_goes_the_regular_way() -> None:
    person = f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId sex }} }}'
    cases = [
        (PUBLIC, "{ regions { edges { node { code name } } } }", True),
        (PUBLIC, '{ mahalla(code: "1703202001") { name assistant { fullName } } }', True),
        # Counts the public sees are checked one by one for suppression.
        (PUBLIC, '{ mahalla(code: "1703202001") { statistics { population } } }', False),
        (PUBLIC, "{ persons { totalCount } }", False),
        (PUBLIC, '{ node(id: "SG91c2Vob2xkOkgtMQ==") { __typename } }', False),
        (NO_PERSONAL, "{ persons(first: 5) { edges { node { hubId sex } } } }", True),
        (NO_PERSONAL, '{ persons(filter: {name: "Abdullayev"}) { totalCount } }', False),
        (NO_PERSONAL, person, False),  # finding who holds a PINFL needs personal
        (NO_PERSONAL, f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId pinfl }} }}', False),
        # A territory compiles into the statement, at every level; members are listed
        # by their person's mahalla, which the statement does not join: regular.
        (DISTRICT, "{ persons { totalCount } }", True),
        (DISTRICT, '{ mahalla(code: "1703202001") { persons { totalCount } } }', True),
        (DISTRICT, '{ household(hubId: "H-1") { members { totalCount } } }', False),
        (
            TAX_ONLY,
            f'{{ person(pinfl: "{MAIN_PINFL}") {{ sourceRecords {{ totalCount }} }} }}',
            False,
        ),
        (DISTRICT, '{ mahalla(code: "1703202001") { name } }', True),
        (ENGINEER, "{ deliveries { totalCount } }", True),
        (ENGINEER, person, False),
        # The diagnostics: the public's figures are checked for suppression one by one (in
        # `values` by its resolver), and a mahalla's series within a territory is regular.
        (PUBLIC, '{ countryMonthly(from: "2022-01", to: "2022-02") { month names } }', True),
        (PUBLIC, '{ countryMonthly(from: "2022-01", to: "2022-02") { values } }', False),
        (PUBLIC, '{ bodyRatings(quarter: "2022-Q1") { edges { node { body rank } } } }', True),
        (PUBLIC, '{ bodyRatings(quarter: "2022-Q1") { edges { node { received } } } }', False),
        (DISTRICT, '{ assistantRatings(quarter: "2022-Q1") { totalCount } }', True),
        (DISTRICT, '{ mahalla(code: "1703202001") { notebookFindings { totalCount } } }', True),
        (DISTRICT, f'{{ mahalla(code: "1703202001") {{ monthly({MONTHS}) {{ month }} }} }}', False),
        (
            DISTRICT,
            "{ households { edges { node { plotLeases { household { hubId } } } } } }",
            False,
        ),
        (NO_PERSONAL, f'{{ mahalla(code: "1703202001") {{ {FINDINGS} }} }}', True),
    ]
    for principal, text, compiles in cases:
        (outcome,) = compiled_roots(text, principal=principal).values()
        assert (outcome is None) == compiles, (principal.name, text, outcome)
