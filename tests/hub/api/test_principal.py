"""Who the caller is: resolved from headers by one function, engineer by default."""

from __future__ import annotations

import pytest

from hub.api.principal import Principal, PrincipalError, Role, resolve_principal


def test_a_caller_without_headers_is_an_engineer() -> None:
    assert resolve_principal({}) == Principal(name="anonymous-engineer", role=Role.ENGINEER)


def test_headers_give_role_scopes_and_territory_limits() -> None:
    principal = resolve_principal(
        {
            "x-hub-role": "Agency",
            "x-hub-principal": "tax-committee",
            "x-hub-scopes": "personal_data, loans,,",
            "x-hub-region": "1703",
            "x-hub-district": "1703202",
        }
    )
    assert principal == Principal(
        name="tax-committee",
        role=Role.AGENCY,
        scopes=frozenset({"personal_data", "loans"}),
        region_code="1703",
        district_code="1703202",
    )


@pytest.mark.parametrize(
    "headers",
    [{"x-hub-role": "root"}, {"x-hub-region": "17"}, {"x-hub-district": "1703-202"}],
)
def test_malformed_headers_are_refused_with_the_header_named(headers: dict[str, str]) -> None:
    with pytest.raises(PrincipalError, match=next(iter(headers))):
        resolve_principal(headers)
