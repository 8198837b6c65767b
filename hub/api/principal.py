"""Who is calling: the `Principal` every resolver finds in the context.

The hub has three roles (DESIGN.md): `public` (aggregates only), `agency` (people and
households within its scopes, optionally limited to a region or district) and `engineer`
(pipeline state and the quarantine). A request proves who it comes from with an API key
(`hub.api.key_authenticator`, the server's default); request headers naming a role or
scopes mean nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import Request


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


class AuthenticationUnavailableError(Exception):
    """Who sent the request cannot be checked now, e.g. the key store is unreachable (the
    view answers HTTP 503: the request is refused, never let through unchecked)."""


# How the view learns who is calling: one awaitable per request. The server's default is
# `hub.api.key_authenticator.KeyAuthenticator`; tests may pass their own to `create_app`.
Authenticator = Callable[[Request], Awaitable[Principal]]
