"""API keys for tests that build their own app with `create_app`'s default authenticator.

`key_headers(settings)` stores a key (engineer with the `personal` scope unless told
otherwise) in the settings' database, hashed with the pepper `create_app` will use for
those settings, and returns the headers that send it: pass them to
`TestClient(app, headers=...)`. Tests about something other than authentication take
a fixed caller from `tests.api_callers` instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hub.access.keys import KeySpec, create_key
from hub.access.pepper import load_pepper
from hub.api.principal import PERSONAL_SCOPE, Role
from hub.config import HubSettings
from hub.graph.database import create_hub_engine, create_session_factory


def issue_key(settings: HubSettings, spec: KeySpec | None = None) -> str:
    """A new key's text for `spec` (default: an engineer's with `personal`)."""
    spec = spec or KeySpec(
        owner="test-engineer", role=Role.ENGINEER, scopes=frozenset({PERSONAL_SCOPE})
    )
    engine = create_hub_engine(settings.database_url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            text = create_key(session, spec, load_pepper(settings.data_dir), datetime.now(UTC))
    finally:
        engine.dispose()
    return str(text)


def key_headers(settings: HubSettings, spec: KeySpec | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_key(settings, spec)}"}
