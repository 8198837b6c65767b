"""Who is calling: the `Principal` every resolver finds in the context.

The hub has three roles (DESIGN.md): `public` (aggregates only), `agency` (people and
households within its scopes, optionally limited to a region or district) and `engineer`
(pipeline state and the quarantine). Access control by role is the next issue; this module
only decides who the caller says they are, in ONE function, so that permission classes can
be added later without reshaping the schema.

Honesty note: there is no authentication yet. `resolve_principal` trusts the `X-Hub-*`
request headers and, when they are absent, treats the caller as an engineer. Nothing in the
API restricts anything on that basis today; deploy it only where every caller is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import Request

ROLE_HEADER = "x-hub-role"
NAME_HEADER = "x-hub-principal"
SCOPES_HEADER = "x-hub-scopes"
REGION_HEADER = "x-hub-region"
DISTRICT_HEADER = "x-hub-district"

_REGION_CODE = re.compile(r"^[0-9]{4}$")
_DISTRICT_CODE = re.compile(r"^[0-9]{7}$")


class Role(StrEnum):
    PUBLIC = "public"
    AGENCY = "agency"
    ENGINEER = "engineer"


# Scopes a key may carry (issue 16's rules read them): `personal` opens personal fields
# (name, PINFL, birth date, passport, phone, address; raw quarantine rows); a source's
# name opens that source's own records.
PERSONAL_SCOPE = "personal"
SOURCE_SCOPES = frozenset({"tax", "employment", "land", "bank", "appeals"})
SCOPES = frozenset({PERSONAL_SCOPE}) | SOURCE_SCOPES


class PrincipalError(ValueError):
    """A principal header has a value the hub does not understand (the message names it)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a name for the audit log, a role, scopes and an optional territory limit.

    `region_code`/`district_code` limit an agency to one region or district when set.
    `key_id` names the API key the request came with (None for callers that hold none,
    such as a test or a job calling the schema in-process).
    """

    name: str
    role: Role
    scopes: frozenset[str] = frozenset()
    region_code: str | None = None
    district_code: str | None = None
    key_id: str | None = None


class UnauthenticatedError(Exception):
    """The request does not prove who sent it (the view answers HTTP 401)."""


# How the view learns who is calling: one awaitable per request. The server's default is
# `header_authenticator`; tests and other deployments pass their own to `create_app`.
Authenticator = Callable[[Request], Awaitable[Principal]]


async def header_authenticator(request: Request) -> Principal:
    """The principal the `X-Hub-*` headers name (see the honesty note above)."""
    return resolve_principal(request.headers)


def resolve_principal(headers: Mapping[str, str]) -> Principal:
    """Read the principal from request headers (lower-case names); engineer when absent.

    Raises PrincipalError when a header is present but malformed.
    """
    raw_role = headers.get(ROLE_HEADER, Role.ENGINEER.value).strip().lower()
    try:
        role = Role(raw_role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise PrincipalError(
            f"Header {ROLE_HEADER!r} has value {raw_role!r}. Not one of: {allowed}."
        ) from None
    scopes = frozenset(s.strip() for s in headers.get(SCOPES_HEADER, "").split(",") if s.strip())
    region = _code(headers, REGION_HEADER, _REGION_CODE)
    district = _code(headers, DISTRICT_HEADER, _DISTRICT_CODE)
    name = headers.get(NAME_HEADER, "").strip() or f"anonymous-{role.value}"
    return Principal(
        name=name, role=role, scopes=scopes, region_code=region, district_code=district
    )


def _code(headers: Mapping[str, str], header: str, pattern: re.Pattern[str]) -> str | None:
    value = headers.get(header)
    if value is None:
        return None
    value = value.strip()
    if not pattern.match(value):
        raise PrincipalError(f"Header {header!r} has value {value!r}. Not a territory code.")
    return value
