"""The diagnostics' fields (issue 18) answered alike by the compiled and the regular path,
over the diagnostics' small world, for every caller: the monthly series of each level, the
quarter's ratings and a mahalla's disagreements and findings, with their arguments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.api.principal import Principal
from hub.api.schema import SCHEMA

from ..conftest import DEFAULT_PRINCIPAL, built_database
from ..diagnostics.world import MAHALLA, NEIGHBOUR, OTHER, build_world
from .conftest import ROLES, Paths, paths_over
from .test_coverage import compiled_roots
from .test_mapping import _compare, full_selection

SERIES = (
    "month names values figures { name value } "
    "revisions { name oldValue newValue reason revisedAt }"
)
SPAN = 'from: "2022-01", to: "2022-03"'
RATING = (
    "quarter mahallaCode assistantId districtCode regionCode score rankInDistrict rankInRegion "
    "rankInCountry components { name value perHouseholds weight points } "
    "mahalla { code name } assistant { fullName }"
)
DISAGREEMENT = (
    "assessedCategory computedCategory incomeCategory rule explanation records members "
    "ableAdults statedIncome declaredIncome wageIncome subsidyIncome landIncome income "
    "incomeBasis perCapitaIncome minimumConsumption asOf rulesVersion household { hubId }"
)
FINDING = "notebook kind reason records asOf person { hubId } household { hubId }"
PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

DOCUMENTS = [
    f'{{ countryMonthly(from: "2022-01", to: "2022-12") {{ {SERIES} }} }}',
    f'{{ district(code: "1703202") {{ monthly(from: "2022-02", to: "2022-03") {{ {SERIES} }} }} }}',
    '{ region(code: "1703") { monthly(from: "2021-01", to: "2022-12") { month names } } }',
    f'{{ mahalla(code: "{MAHALLA}") {{ monthly({SPAN}) {{ {SERIES} }} }} }}',
    f'{{ mahalla(code: "{OTHER}") {{ m: monthly({SPAN}) {{ month }} }} }}',
    f'{{ assistantRatings(quarter: "2022-Q1") {{ {PAGE} '
    f"edges {{ cursor node {{ {RATING} }} }} }} }}",
    '{ assistantRatings(quarter: "2022-Q1", districtCode: "1703202", first: 1) '
    "{ edges { node { mahallaCode rankInDistrict } } pageInfo { hasNextPage } } }",
    '{ assistantRatings(quarter: "2022-Q1", regionCode: "1703", last: 2) '
    "{ edges { cursor node { mahallaCode } } } }",
    '{ assistantRatings(quarter: "2023-Q1") { totalCount edges { node { score } } } }',
    f'{{ bodyRatings(quarter: "2022-Q1") {{ {PAGE} edges {{ node {{ quarter body received '
    "resolved resolutionRate medianDays p90Days overdueOpen rank } } } }",
    '{ bodyRatings(quarter: "2022-Q1", first: 2, after: "b2Zmc2V0OjA=") '
    "{ edges { node { body rank } } } }",
    f'{{ mahalla(code: "{MAHALLA}") {{ assistantRating(quarter: "2022-Q1") {{ {RATING} }} '
    'none: assistantRating(quarter: "2021-Q4") { score } '
    f"categoryDisagreements {{ {PAGE} edges {{ node {{ {DISAGREEMENT} }} }} }} "
    f"notebookFindings {{ {PAGE} edges {{ node {{ {FINDING} }} }} }} }} }}",
    f'{{ mahalla(code: "{MAHALLA}") {{ iron: notebookFindings(notebook: IRON) {{ totalCount }} '
    "gone: notebookFindings(kind: ENTERED_NOT_ELIGIBLE, first: 1) { edges { node { notebook } } } "
    "categoryDisagreements(last: 1) { edges { cursor node { rule } } } } }",
    f'{{ mahalla(code: "{OTHER}") {{ notebookFindings {{ edges {{ node {{ {FINDING} }} }} }} '
    'assistantRating(quarter: "2022-Q1") { score rankInCountry } } }',
]
# Arguments the regular path rejects: both paths answer with its error.
REJECTED = [
    '{ countryMonthly(from: "2022-05", to: "2022-01") { month } }',
    '{ countryMonthly(from: "2000-01", to: "2022-01") { month } }',
    '{ assistantRatings(quarter: "2022-Q1", districtCode: "17") { totalCount } }',
    '{ bodyRatings(quarter: "2022-Q1", first: 101) { totalCount } }',
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def diagnostics_paths(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Paths]:
    with (
        built_database(request, tmp_path_factory, "diagnostics-paths", build_world) as (url, _),
        paths_over(url) as both,
    ):
        yield both


CALLERS = {"agency": DEFAULT_PRINCIPAL, **ROLES}


@pytest.mark.parametrize("document", DOCUMENTS + REJECTED)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_the_diagnostics_answer_alike_on_both_paths(
    diagnostics_paths: Paths, document: str, caller: str
) -> None:
    principal: Principal = CALLERS[caller]
    compiled, regular = diagnostics_paths.both(document, principal=principal)
    assert compiled == regular


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_diagnostics_compile_on_postgresql_for_an_agency(document: str) -> None:
    assert set(compiled_roots(document, principal=DEFAULT_PRINCIPAL).values()) == {None}


def test_the_world_has_what_the_documents_compare(diagnostics_paths: Paths) -> None:
    """The comparison is not between two empty answers."""
    answer = diagnostics_paths.run(
        SCHEMA,
        f'{{ mahalla(code: "{MAHALLA}") {{ categoryDisagreements {{ totalCount }} '
        "notebookFindings { totalCount } "
        'assistantRating(quarter: "2022-Q1") { score } '
        'monthly(from: "2022-01", to: "2022-03") { month } } '
        'assistantRatings(quarter: "2022-Q1") { totalCount } '
        'bodyRatings(quarter: "2022-Q1") { totalCount } }',
    )
    mahalla = answer["data"]["mahalla"]
    assert mahalla["categoryDisagreements"]["totalCount"] > 0
    assert mahalla["notebookFindings"]["totalCount"] > 0
    assert mahalla["assistantRating"]["score"] == 4.0
    assert len(mahalla["monthly"]) == 3
    assert answer["data"]["assistantRatings"]["totalCount"] == 3
    assert answer["data"]["bodyRatings"]["totalCount"] == 3


def test_every_mapped_diagnostics_field_on_every_row_on_postgresql(
    diagnostics_paths: Paths,
) -> None:
    if diagnostics_paths.backend != "postgresql":
        return
    mahalla = full_selection("Mahalla", lists=True)
    for code in (MAHALLA, NEIGHBOUR, OTHER):
        _compare(diagnostics_paths, f'{{ mahalla(code: "{code}") {{ {mahalla} }} }}')
    for root, type_name, arguments in (
        ("assistantRatings", "AssistantRating", 'quarter: "2022-Q1"'),
        ("bodyRatings", "BodyRating", 'quarter: "2022-Q1"'),
    ):
        node = full_selection(type_name, lists=True)
        answer = _compare(
            diagnostics_paths,
            f"{{ {root}({arguments}) {{ totalCount edges {{ node {{ {node} }} }} }} }}",
        )
        assert len(answer["data"][root]["edges"]) == answer["data"][root]["totalCount"] > 0
    months = full_selection("IndicatorMonth", lists=True)
    _compare(
        diagnostics_paths, f'{{ countryMonthly(from: "2021-01", to: "2022-12") {{ {months} }} }}'
    )
