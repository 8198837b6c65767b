"""API keys at the door: every bad key gets the same 401, expiry allows a small skew,
revocation takes effect within the key cache's time, and headers name no one."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, select, update
from starlette.requests import Request

from hub.access.key_text import parse_key_text
from hub.access.keys import KeySpec, revoke_key
from hub.access.pepper import load_pepper
from hub.api.app import create_app
from hub.api.key_authenticator import EXPIRY_SKEW, KeyAuthenticator
from hub.api.principal import PERSONAL_SCOPE, Principal, Role, UnauthenticatedError
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.database import create_hub_engine, create_session_factory
from hub.graph.models import ApiKey
from tests.api_keys import issue_key

if TYPE_CHECKING:
    from conftest import BuiltGraph

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

QUERY = {"query": "{ regions { totalCount } }"}
AGENCY = KeySpec(
    owner="tax-committee",
    role=Role.AGENCY,
    scopes=frozenset({PERSONAL_SCOPE, "tax"}),
    region_code="1703",
)


@dataclass
class Keyed:
    client: TestClient
    settings: HubSettings

    def key(self, spec: KeySpec = AGENCY) -> str:
        return issue_key(self.settings, spec)

    def post(self, authorization: str | None) -> Any:
        headers = {} if authorization is None else {"Authorization": authorization}
        return self.client.post("/graphql", json=QUERY, headers=headers)

    def set_key(self, key: str, **values: Any) -> None:
        parsed = parse_key_text(key)
        assert parsed is not None
        engine = create_hub_engine(self.settings.database_url)
        try:
            with engine.begin() as connection:
                connection.execute(update(ApiKey).where(ApiKey.id == parsed.key_id).values(values))
        finally:
            engine.dispose()


@pytest.fixture
def keyed(built_graph: BuiltGraph, tmp_path: Path) -> Iterator[Keyed]:
    """The API with its default (key) authenticator and no key cache."""
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False, key_cache_seconds=0))
    with TestClient(app) as client:
        yield Keyed(client, settings)


def test_a_valid_key_is_let_in(keyed: Keyed) -> None:
    response = keyed.post(f"Bearer {keyed.key()}")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["regions"]["totalCount"] > 0


def test_every_bad_key_gets_the_same_401_whether_or_not_the_key_exists(keyed: Keyed) -> None:
    good = keyed.key()
    expired, revoked = keyed.key(), keyed.key()
    keyed.set_key(expired, expires_at=datetime.now(UTC) - EXPIRY_SKEW - timedelta(seconds=5))
    keyed.set_key(revoked, revoked_at=datetime.now(UTC) - timedelta(seconds=1))
    key_id, secret = good.split("_")[1], good.split("_", 2)[2]
    other_secret = ("B" if secret[0] == "A" else "A") + secret[1:]
    unknown_id = ("0" if key_id[0] != "0" else "1") + key_id[1:]
    # An id of digits only has no upper case; its first digit then becomes a capital letter.
    upper_id = key_id.upper() if key_id.upper() != key_id else "A" + key_id[1:]
    cases = {
        "no header": None,
        "empty": "",
        "another scheme": f"Basic {good}",
        "no key": "Bearer",
        "two spaces": f"Bearer  {good}",
        "whitespace inside": f"Bearer {good[:20]} {good[20:]}",
        "wrong prefix": f"Bearer xx{good[2:]}",
        "upper-case id": f"Bearer mh_{upper_id}_{secret}",
        "truncated": f"Bearer {good[:-1]}",
        "too long": f"Bearer {good}A",
        "not a key": "Bearer not-a-token",
        "unknown id": f"Bearer mh_{unknown_id}_{secret}",
        "wrong secret": f"Bearer mh_{key_id}_{other_secret}",
        "expired": f"Bearer {expired}",
        "revoked": f"Bearer {revoked}",
    }
    bodies = {}
    for case, authorization in cases.items():
        response = keyed.post(authorization)
        assert response.status_code == 401, case
        assert response.headers["www-authenticate"] == "Bearer", case
        bodies[case] = response.content
    assert len(set(bodies.values())) == 1, bodies
    (error,) = keyed.post(None).json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert keyed.post(f"Bearer {good}").status_code == 200


def test_x_hub_headers_name_no_one(keyed: Keyed) -> None:
    headers = {"X-Hub-Role": "engineer", "X-Hub-Scopes": "personal", "X-Hub-Principal": "me"}
    response = keyed.client.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401


def test_an_expiry_is_honoured_after_a_small_clock_skew_allowance(keyed: Keyed) -> None:
    key = keyed.key()
    keyed.set_key(key, expires_at=datetime.now(UTC) - EXPIRY_SKEW / 3)
    assert keyed.post(f"Bearer {key}").status_code == 200
    keyed.set_key(key, expires_at=datetime.now(UTC) - EXPIRY_SKEW - timedelta(seconds=1))
    assert keyed.post(f"Bearer {key}").status_code == 401


def test_a_rotation_grace_period_is_a_revocation_in_the_future(keyed: Keyed) -> None:
    key = keyed.key()
    keyed.set_key(key, revoked_at=datetime.now(UTC) + timedelta(hours=1))
    assert keyed.post(f"Bearer {key}").status_code == 200


def test_a_request_in_flight_when_its_key_is_revoked_finishes_and_the_next_is_refused(
    built_graph: BuiltGraph, tmp_path: Path
) -> None:
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    key = issue_key(settings, AGENCY)
    parsed = parse_key_text(key)
    assert parsed is not None
    engine = create_hub_engine(built_graph.url)
    checker = KeyAuthenticator(engine, load_pepper(tmp_path), cache_seconds=0)
    revoked: list[bool] = []

    async def revoked_while_running(request: Request) -> Principal:
        principal = await checker(request)
        if not revoked:  # the key is revoked after this request was let in
            with create_session_factory(engine)() as session, session.begin():
                revoke_key(session, parsed.key_id, datetime.now(UTC))
            revoked.append(True)
        return principal

    app = create_app(
        settings, api_settings=ApiSettings(tune_gc=False), authenticator=revoked_while_running
    )
    try:
        with TestClient(app) as client:
            headers = {"Authorization": f"Bearer {key}"}
            first = client.post("/graphql", json=QUERY, headers=headers)
            assert first.status_code == 200 and "errors" not in first.json()
            second = client.post("/graphql", json=QUERY, headers=headers)
            assert second.status_code == 401
    finally:
        engine.dispose()


def _request(authorization: str) -> Request:
    headers = [(b"authorization", authorization.encode())]
    return Request({"type": "http", "method": "POST", "path": "/graphql", "headers": headers})


@dataclass
class Clocked:
    """A key, and an authenticator caching rows for 5 s of a clock the test moves."""

    key: str
    key_id: str
    engine: Engine
    checker: KeyAuthenticator
    clock: list[float]


@pytest.fixture
def clocked(built_graph: BuiltGraph, tmp_path: Path) -> Iterator[Clocked]:
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    key = issue_key(settings, AGENCY)
    parsed = parse_key_text(key)
    assert parsed is not None
    clock = [100.0]
    engine = create_hub_engine(built_graph.url)
    checker = KeyAuthenticator(
        engine, load_pepper(tmp_path), cache_seconds=5, monotonic=lambda: clock[0]
    )
    try:
        yield Clocked(key, parsed.key_id, engine, checker, clock)
    finally:
        engine.dispose()


def test_a_revocation_takes_effect_within_the_key_cache_time(clocked: Clocked) -> None:
    key, engine, checker, clock = clocked.key, clocked.engine, clocked.checker, clocked.clock

    async def scenario() -> None:
        principal = await checker(_request(f"Bearer {key}"))
        assert (principal.name, principal.role, principal.key_id) == (
            "tax-committee",
            Role.AGENCY,
            clocked.key_id,
        )
        assert principal.scopes == {"personal", "tax"} and principal.region_code == "1703"
        with create_session_factory(engine)() as session, session.begin():
            revoke_key(session, clocked.key_id, datetime.now(UTC))
        clock[0] += 4.9  # still cached: the documented window
        await checker(_request(f"Bearer {key}"))
        clock[0] += 0.2
        with pytest.raises(UnauthenticatedError):
            await checker(_request(f"Bearer {key}"))
        await checker.aclose()

    asyncio.run(scenario())


def test_last_used_at_is_written_off_the_request_path_at_most_once_a_minute(
    built_graph: BuiltGraph, tmp_path: Path
) -> None:
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    key = issue_key(settings, AGENCY)
    parsed = parse_key_text(key)
    assert parsed is not None
    engine = create_hub_engine(built_graph.url)
    writes: list[str] = []
    checker = KeyAuthenticator(engine, load_pepper(tmp_path))
    real_write = checker._write_last_used

    async def counted(key_id: str, at: datetime) -> None:
        writes.append(key_id)
        await real_write(key_id, at)

    checker._write_last_used = counted  # type: ignore[method-assign]

    async def scenario() -> None:
        for _ in range(5):
            await checker(_request(f"Bearer {key}"))
        await checker.aclose()

    try:
        asyncio.run(scenario())
        with engine.connect() as connection:
            used = connection.scalar(select(ApiKey.last_used_at).where(ApiKey.id == parsed.key_id))
    finally:
        engine.dispose()
    assert writes == [parsed.key_id]
    assert used is not None and datetime.now(UTC) - used < timedelta(minutes=1)


def _counting(checker: KeyAuthenticator) -> list[str]:
    """The key ids `checker` reads from the database, in order."""
    reads: list[str] = []
    real_read = checker._read

    async def counted(key_id: str) -> Any:
        reads.append(key_id)
        await asyncio.sleep(0.01)  # a round trip: requests arriving meanwhile find it running
        return await real_read(key_id)

    checker._read = counted  # type: ignore[method-assign]
    return reads


def test_requests_finding_a_key_unread_wait_for_one_read_together(clocked: Clocked) -> None:
    key, checker, clock = clocked.key, clocked.checker, clocked.clock
    reads = _counting(checker)

    async def scenario() -> None:
        many = [checker(_request(f"Bearer {key}")) for _ in range(20)]
        assert {p.name for p in await asyncio.gather(*many)} == {"tax-committee"}
        assert len(reads) == 1
        clock[0] += 5.1  # expired: again one read for all
        many = [checker(_request(f"Bearer {key}")) for _ in range(20)]
        assert {p.name for p in await asyncio.gather(*many)} == {"tax-committee"}
        assert len(reads) == 2
        await checker.aclose()

    asyncio.run(scenario())


def test_a_key_in_use_is_read_again_in_the_background_before_it_expires(clocked: Clocked) -> None:
    key, engine, checker, clock = clocked.key, clocked.engine, clocked.checker, clocked.clock
    reads = _counting(checker)

    async def settled() -> None:
        while checker._reading:
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        await checker(_request(f"Bearer {key}"))
        clock[0] = 102.0  # younger than REFRESH_AFTER of the cache time: no read
        await checker(_request(f"Bearer {key}"))
        await settled()
        assert len(reads) == 1
        clock[0] = 103.0  # older: answered from the cache at once, read again meanwhile
        await checker(_request(f"Bearer {key}"))
        assert checker._reading
        await settled()
        assert len(reads) == 2
        with create_session_factory(engine)() as session, session.begin():
            revoke_key(session, clocked.key_id, datetime.now(UTC))
        clock[0] = 105.5  # past the first read's expiry: the second answers, with no wait
        await checker(_request(f"Bearer {key}"))  # (and the next read begins meanwhile)
        await settled()
        assert len(reads) == 3
        clock[0] = 105.6  # that read saw the revocation
        with pytest.raises(UnauthenticatedError):
            await checker(_request(f"Bearer {key}"))
        await checker.aclose()

    asyncio.run(scenario())
