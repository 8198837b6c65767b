"""The API's authenticator: `Authorization: Bearer mh_…` against the `api_key` table.

Every refusal (no header, another scheme, a malformed key, whitespace, a wrong prefix, an
unknown id, a wrong secret, an expired or revoked key) raises the same
`UnauthenticatedError` with the same message, so a caller learns nothing about which keys
exist.

Hot path: a verified key row is cached in the process for `cache_seconds` (default
`KEY_CACHE_SECONDS`), so most requests cost one HMAC and no statement. The price is that a
revocation (or rotation's end, or an expiry) takes effect within that many seconds; a
request already authenticated when its key is revoked finishes (it was allowed when it
began). Unknown ids are cached too (bounded), so guessing costs no statement per guess.
A key in use is read again in the background once its row is `REFRESH_AFTER` of the cache
time old, so its row rarely expires under the requests; when it does (or was never read),
the requests that find it so wait for one read together. (Before, every request arriving
while a key's row was being read again read it too: under load each expiry took several
connections, some opened for it, and delayed every request in flight, on a loop
profiled as 3% of the API's request time.)

Expiry allows `EXPIRY_SKEW` past `expires_at`: the hub's servers and the clock the key was
issued by may disagree by a few seconds, and a key should not flap at its expiry.

`last_used_at` is written at most once per key per `LAST_USED_EVERY` seconds by a task
off the request's path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from hub.access.key_text import KeyText, matches, parse_key_text
from hub.api.principal import AuthenticationUnavailableError, Principal, Role, UnauthenticatedError
from hub.graph.models import ApiKey
from hub.graph.types import utc_now

logger = logging.getLogger(__name__)

KEY_CACHE_SECONDS = 5.0
# A cached row this old (a share of the cache time) is read again in the background.
REFRESH_AFTER = 0.5
EXPIRY_SKEW = timedelta(seconds=30)
LAST_USED_EVERY = 60.0
MAX_CACHED_KEYS = 10_000
UNAVAILABLE = "API keys cannot be checked at the moment; try again shortly."
REFUSED = "A valid API key is required: send `Authorization: Bearer <key>`."


@dataclass(frozen=True, slots=True)
class StoredKey:
    principal: Principal
    secret_hash: str
    expires_at: datetime | None
    revoked_at: datetime | None

    def usable_at(self, now: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or now < self.expires_at + EXPIRY_SKEW


def read_key(connection: Connection, key_id: str) -> StoredKey | None:
    key = connection.execute(select(ApiKey.__table__).where(ApiKey.id == key_id)).first()
    if key is None:
        return None
    principal = Principal(
        name=key.owner,
        role=Role(key.role),
        scopes=frozenset(key.scopes),
        region_code=key.region_code,
        district_code=key.district_code,
        key_id=key.id,
    )
    return StoredKey(principal, key.secret_hash, key.expires_at, key.revoked_at)


def _mark_used(connection: Connection, key_id: str, at: datetime) -> None:
    connection.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at))
    connection.commit()


def bearer_key(authorization: str | None) -> KeyText | None:
    """The key an Authorization header carries, or None (one space after `Bearer`)."""
    if authorization is None:
        return None
    scheme, space, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not space:
        return None
    return parse_key_text(token)


class KeyAuthenticator:
    """`create_app`'s default authenticator (see the module's docstring)."""

    def __init__(
        self,
        engine: Engine | AsyncEngine,
        pepper: bytes,
        *,
        cache_seconds: float = KEY_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._pepper = pepper
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._now = now
        self._cache: OrderedDict[str, tuple[float, StoredKey | None]] = OrderedDict()
        self._used_at: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # One read of a key's row at a time: (when it began, the read), by key id.
        self._reading: dict[str, tuple[float, asyncio.Task[StoredKey | None]]] = {}

    async def __call__(self, request: Request) -> Principal:
        key = bearer_key(request.headers.get("authorization"))
        if key is None:
            raise UnauthenticatedError(REFUSED)
        stored = await self._stored(key.key_id)
        if (
            stored is None
            or not matches(key, stored.secret_hash, self._pepper)
            or not stored.usable_at(self._now())
        ):
            raise UnauthenticatedError(REFUSED)
        self._note_use(key.key_id)
        return stored.principal

    async def _stored(self, key_id: str) -> StoredKey | None:
        cached = self._cache.get(key_id)
        clock = self._monotonic()
        if cached is not None and clock - cached[0] < self._cache_seconds:
            if clock - cached[0] >= self._cache_seconds * REFRESH_AFTER:
                self._reading_of(key_id, clock)  # the next requests find it read again
            return cached[1]
        try:
            if self._cache_seconds <= 0:  # no cache: each request reads the row itself
                return await self._read(key_id)
            return await asyncio.shield(self._reading_of(key_id, clock))
        except SQLAlchemyError as exc:
            logger.error("API keys cannot be read, so requests are refused: %s", exc)
            raise AuthenticationUnavailableError(UNAVAILABLE) from exc

    def _reading_of(self, key_id: str, clock: float) -> asyncio.Task[StoredKey | None]:
        """The read of `key_id`'s row under way, else a new one (cached when it is done,
        as of `clock`: a revocation then still shows within the cache time)."""
        reading = self._reading.get(key_id)
        if reading is not None:
            return reading[1]
        task = asyncio.create_task(self._read(key_id))
        self._reading[key_id] = (clock, task)
        task.add_done_callback(lambda done: self._read_done(key_id, done))
        return task

    def _read_done(self, key_id: str, task: asyncio.Task[StoredKey | None]) -> None:
        began, _ = self._reading.pop(key_id)
        if task.cancelled():
            return
        if task.exception() is not None:
            # Whoever waits for it reports it; a refresh nobody waits for is only noted.
            logger.warning("API key %s could not be read again: %s", key_id, task.exception())
            return
        # Only reached with a cache: without one, each request reads the row itself.
        self._cache[key_id] = (began, task.result())
        self._cache.move_to_end(key_id)
        while len(self._cache) > MAX_CACHED_KEYS:
            self._cache.popitem(last=False)

    async def _read(self, key_id: str) -> StoredKey | None:
        if isinstance(self._engine, AsyncEngine):
            async with self._engine.connect() as connection:
                return await connection.run_sync(read_key, key_id)
        engine = self._engine

        def read() -> StoredKey | None:
            with engine.connect() as connection:
                return read_key(connection, key_id)

        return await run_in_threadpool(read)

    def _note_use(self, key_id: str) -> None:
        clock = self._monotonic()
        last = self._used_at.get(key_id)
        if last is not None and clock - last < LAST_USED_EVERY:
            return
        if len(self._used_at) >= MAX_CACHED_KEYS:
            self._used_at.clear()
        self._used_at[key_id] = clock
        task = asyncio.create_task(self._write_last_used(key_id, self._now()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_last_used(self, key_id: str, at: datetime) -> None:
        try:
            if isinstance(self._engine, AsyncEngine):
                async with self._engine.connect() as connection:
                    await connection.run_sync(_mark_used, key_id, at)
            else:
                engine = self._engine

                def write() -> None:
                    with engine.connect() as connection:
                        _mark_used(connection, key_id, at)

                await run_in_threadpool(write)
        except SQLAlchemyError as exc:
            # Bookkeeping only: the request it came with has been served.
            logger.warning("Could not record that API key %s was used: %s", key_id, exc)

    async def aclose(self) -> None:
        """Wait for `last_used_at` writes and key reads still running (the app's shutdown)."""
        running = [*self._tasks, *(task for _, task in self._reading.values())]
        if running:
            await asyncio.gather(*running, return_exceptions=True)
