"""The demo's API keys: one per role, new at each start, printed in the banner.

Keys the demo made at an earlier start are revoked first, so only the keys on the screen
work. They are hashed with the pepper the demo's API server will use (the environment's
`HUB_API_KEY_PEPPER`, else the data folder's file, `hub.access.pepper`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from hub.access.key_text import KeyText
from hub.access.keys import KeySpec, create_key, key_state, revoke_key
from hub.access.pepper import load_pepper
from hub.api.principal import PERSONAL_SCOPE, Role
from hub.config import load_settings
from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database
from hub.graph.models import ApiKey

DEMO_KEY_DAYS = 30
DEMO_SPECS = (
    KeySpec(owner="demo-public-platform", role=Role.PUBLIC),
    KeySpec(
        owner="demo-tax-committee",
        role=Role.AGENCY,
        scopes=frozenset({PERSONAL_SCOPE, "tax"}),
    ),
    KeySpec(owner="demo-engineer", role=Role.ENGINEER, scopes=frozenset({PERSONAL_SCOPE})),
)


@dataclass(frozen=True, slots=True)
class DemoKey:
    spec: KeySpec
    text: KeyText

    def line(self) -> str:
        scopes = ",".join(sorted(self.spec.scopes)) or "no scopes"
        header = f'{{"Authorization": "Bearer {self.text}"}}'
        return f"  {self.spec.role.value:<9} ({scopes:<12}) {header}"


def create_demo_keys(env: Mapping[str, str], data_dir: Path) -> list[DemoKey]:
    """Revoke the keys of earlier demo starts and create one per role in `DEMO_SPECS`."""
    url = load_settings(dict(env)).database_url
    pepper = load_pepper(data_dir, env)
    now = datetime.now(UTC)
    upgrade_database(url)
    engine = create_hub_engine(url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            owners = [spec.owner for spec in DEMO_SPECS]
            for row in session.scalars(select(ApiKey).where(ApiKey.owner.in_(owners))):
                if key_state(row, now) in {"active", "rotating"}:
                    revoke_key(session, row.id, now)
            expires = now + timedelta(days=DEMO_KEY_DAYS)
            return [
                DemoKey(spec, create_key(session, _expiring(spec, expires), pepper, now))
                for spec in DEMO_SPECS
            ]
    finally:
        engine.dispose()


def _expiring(spec: KeySpec, at: datetime) -> KeySpec:
    return KeySpec(spec.owner, spec.role, spec.scopes, spec.region_code, spec.district_code, at)


def banner_lines(keys: list[DemoKey]) -> list[str]:
    return [
        f"API keys (new at each start, valid {DEMO_KEY_DAYS} days; paste one into GraphiQL's "
        "Headers tab):",
        *(key.line() for key in keys),
    ]
