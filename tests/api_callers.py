"""Callers for tests that start the API app themselves (`create_app(authenticator=...)`):
each answers every request as one principal, whatever it sends."""

from __future__ import annotations

from starlette.requests import Request

from hub.api.principal import PERSONAL_SCOPE, SCOPES, Authenticator, Principal, Role

# The pipeline's engineer, who may read raw quarantined rows.
ENGINEER = Principal("test-engineer", Role.ENGINEER, frozenset({PERSONAL_SCOPE}))
# An agency with every scope and no territory: every person, household and record.
AGENCY = Principal("test-agency", Role.AGENCY, SCOPES)
# The test header that picks one of the two per request (`by_test_header`).
TEST_HEADER = "x-test-caller"


def as_principal(principal: Principal) -> Authenticator:
    """An authenticator that answers every request as `principal`."""

    async def authenticate(request: Request) -> Principal:
        return principal

    return authenticate


as_engineer = as_principal(ENGINEER)
as_agency = as_principal(AGENCY)


async def by_test_header(request: Request) -> Principal:
    """The engineer when the request's test header says so, else the agency."""
    return ENGINEER if request.headers.get(TEST_HEADER) == "engineer" else AGENCY
