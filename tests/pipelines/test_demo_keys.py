"""The demo's keys: one per role, usable by the API it starts, the previous start's revoked."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Engine
from starlette.requests import Request

from hub.access.pepper import load_pepper
from hub.api.key_authenticator import KeyAuthenticator
from hub.api.principal import Role, UnauthenticatedError
from hub.graph.database import create_hub_engine
from pipelines.demo_keys import banner_lines, create_demo_keys


def _check(engine: Engine, data_dir: Path, text: str) -> Role:
    checker = KeyAuthenticator(engine, load_pepper(data_dir, {}), cache_seconds=0)
    scope = {"type": "http", "headers": [(b"authorization", f"Bearer {text}".encode())]}

    async def check() -> Role:
        principal = await checker(Request(scope))
        await checker.aclose()
        return principal.role

    return asyncio.run(check())


def test_the_demo_prints_one_working_key_per_role_and_revokes_the_last_starts(
    tmp_path: Path,
) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path)}
    first = create_demo_keys(env, tmp_path)
    second = create_demo_keys(env, tmp_path)
    engine = create_hub_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        assert [_check(engine, tmp_path, str(k.text)) for k in second] == [
            Role.PUBLIC,
            Role.AGENCY,
            Role.ENGINEER,
        ]
        for old in first:
            try:
                _check(engine, tmp_path, str(old.text))
            except UnauthenticatedError:
                continue
            raise AssertionError(f"the earlier demo key of {old.spec.owner} still works")
    finally:
        engine.dispose()
    lines = banner_lines(second)
    assert "GraphiQL's Headers tab" in lines[0]
    assert all(
        f'{{"Authorization": "Bearer {k.text}"}}' in line
        for k, line in zip(second, lines[1:], strict=True)
    )
