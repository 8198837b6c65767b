"""Creating, listing, rotating and revoking API keys (the data side of `hub keys`).

Functions take a `Session`; the caller owns the transaction. A key's text is returned
once, by `create_key` and `rotate_key`, and never stored: the row keeps a keyed hash.

Rotation issues a new key with the same owner, role, scopes, territory and expiry and
revokes the old one at the end of a grace period (immediately without one), so clients
can switch over without a gap. A revoked or expired key is refused by the API within
`KEY_CACHE_SECONDS` (`hub.api.key_authenticator`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.access.key_text import KeyText, new_key_text, secret_hash
from hub.api.principal import SCOPES, Role
from hub.graph.models import ApiKey

_REGION_CODE = re.compile(r"\A[0-9]{4}\Z")
_DISTRICT_CODE = re.compile(r"\A[0-9]{7}\Z")


class KeyRequestError(ValueError):
    """A key was asked for with values the hub refuses (the message names them)."""


class UnknownKeyError(LookupError):
    """No key has the id asked for."""


@dataclass(frozen=True, slots=True)
class KeySpec:
    """What a new key may do. Validated by `validated`."""

    owner: str
    role: Role
    scopes: frozenset[str] = frozenset()
    region_code: str | None = None
    district_code: str | None = None
    expires_at: datetime | None = None


def validated(spec: KeySpec, now: datetime) -> KeySpec:
    """`spec` when the hub can issue it; KeyRequestError naming the first bad value."""
    if not spec.owner.strip() or len(spec.owner) > 100:
        raise KeyRequestError(f"Owner {spec.owner!r} must be 1 to 100 characters.")
    unknown = sorted(spec.scopes - SCOPES)
    if unknown:
        raise KeyRequestError(f"Scope {unknown[0]!r} is not one of: {', '.join(sorted(SCOPES))}.")
    if spec.region_code is not None and not _REGION_CODE.match(spec.region_code):
        raise KeyRequestError(f"Region code {spec.region_code!r} is not 4 digits.")
    if spec.district_code is not None and not _DISTRICT_CODE.match(spec.district_code):
        raise KeyRequestError(f"District code {spec.district_code!r} is not 7 digits.")
    if spec.region_code and spec.district_code:
        raise KeyRequestError("A key is limited to a region or to a district, not both.")
    if (spec.region_code or spec.district_code) and spec.role is not Role.AGENCY:
        raise KeyRequestError(f"Only agency keys have a territory; this one is {spec.role}.")
    if spec.expires_at is not None and spec.expires_at <= now:
        raise KeyRequestError(f"Expiry {spec.expires_at.isoformat()} is not in the future.")
    return spec


def create_key(session: Session, spec: KeySpec, pepper: bytes, now: datetime) -> KeyText:
    """Store a new key for `spec` and return its text (shown once, never stored)."""
    spec = validated(spec, now)
    text = new_key_text()
    session.add(
        ApiKey(
            id=text.key_id,
            owner=spec.owner.strip(),
            role=spec.role.value,
            scopes=sorted(spec.scopes),
            region_code=spec.region_code,
            district_code=spec.district_code,
            created_at=now,
            expires_at=spec.expires_at,
            secret_hash=secret_hash(text, pepper),
        )
    )
    session.flush()
    return text


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.owner, ApiKey.created_at)))


def _get(session: Session, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id, with_for_update=True)
    if row is None:
        raise UnknownKeyError(f"No API key has id {key_id!r} (see `hub keys list`).")
    return row


def revoke_key(session: Session, key_id: str, now: datetime) -> ApiKey:
    """Revoke `key_id` now (also ending a rotation's grace period early)."""
    row = _get(session, key_id)
    if row.revoked_at is None or row.revoked_at > now:
        row.revoked_at = now
    return row


def rotate_key(
    session: Session, key_id: str, pepper: bytes, now: datetime, grace: timedelta = timedelta()
) -> tuple[ApiKey, KeyText]:
    """A new key like `key_id`'s, which is revoked at `now + grace`; returns (old, new text)."""
    old = _get(session, key_id)
    if key_state(old, now) in {"revoked", "expired"}:
        raise KeyRequestError(f"Key {key_id} is {key_state(old, now)}; create a new one instead.")
    spec = KeySpec(
        owner=old.owner,
        role=Role(old.role),
        scopes=frozenset(old.scopes),
        region_code=old.region_code,
        district_code=old.district_code,
        expires_at=old.expires_at,
    )
    text = create_key(session, spec, pepper, now)
    old.revoked_at = now + grace
    old.rotated_to = text.key_id
    return old, text


def key_state(row: ApiKey, now: datetime) -> str:
    """'active', 'rotating' (revoked at the end of a grace period), 'revoked' or 'expired'."""
    if row.revoked_at is not None and row.revoked_at <= now:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "rotating" if row.revoked_at is not None else "active"
