"""bench_api's load generator: the keys requests draw from, the requests on the wire (raw
HTTP/1.1 on keep-alive connections, spread over the servers round-robin) and the loops of
concurrent clients that send them and time the answers."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import bench_api_postgraphile as postgraphile
import httpx
import orjson
from bench_api_queries import QUERIES
from bench_api_report import Samples
from sqlalchemy import create_engine, text

MIX = {"person": 40, "dashboard": 30, "page100": 15, "district": 15}


@dataclass
class Keys:
    """Values to draw request parameters from (real keys of the seeded graph)."""

    pinfls: list[str]
    mahallas: list[str]
    districts: list[str]
    # The API key the project's GraphQL requests carry (`--access keys`), else "".
    api_key: str = ""

    def for_query(self, name: str, rng: random.Random) -> str:
        if name == "person":
            return rng.choice(self.pinfls)
        if name == "district":
            return rng.choice(self.districts)
        return rng.choice(self.mahallas)


def read_keys(url: str, sample: int, seed: int) -> Keys:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            pinfls = list(
                connection.scalars(
                    text(
                        "SELECT pinfl FROM person WHERE pinfl IS NOT NULL "
                        "ORDER BY random() LIMIT :n"
                    ),
                    {"n": sample},
                )
            )
            mahallas = list(connection.scalars(text("SELECT code FROM mahalla ORDER BY code")))
            districts = list(connection.scalars(text("SELECT code FROM district ORDER BY code")))
    finally:
        engine.dispose()
    random.Random(seed).shuffle(pinfls)
    return Keys(pinfls=pinfls, mahallas=mahallas, districts=districts)


def _request(mode: str, name: str, key: str, host: str, api_key: str = "") -> bytes:
    """One HTTP/1.1 keep-alive request, as bytes on the wire."""
    if mode == "floor":
        return (f"GET /floor/{name}?key={key} HTTP/1.1\r\nHost: {host}\r\n\r\n").encode()
    documents = postgraphile.QUERIES if mode == "postgraphile" else QUERIES
    variable = "pinfl" if name == "person" else "code"
    body = orjson.dumps({"query": documents[name], "variables": {variable: key}})
    authorization = f"Authorization: Bearer {api_key}\r\n" if mode == "graphql" and api_key else ""
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"{authorization}Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """Send `request` and read one response (status, body) on a keep-alive connection.

    The load generator speaks HTTP/1.1 itself, on raw asyncio streams: a general client
    (httpx) spent about a millisecond of CPU per request, on the same two cores as the
    server it measures, which lowered every figure and compressed the GraphQL/floor ratio.
    """
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    if length is None:
        raise RuntimeError("The server answered without a Content-Length; cannot measure it.")
    return status, await reader.readexactly(length)


async def _client(
    address: tuple[str, int],
    mode: str,
    pick: Callable[[random.Random], str],
    keys: Keys,
    results: dict[str, Samples],
    window: tuple[float, float],
    budget: list[int],
    rng: random.Random,
) -> None:
    """Requests in a loop until the window's end; only those started inside the window
    (after its warm-up) are counted."""
    host = f"{address[0]}:{address[1]}"
    measured_from, deadline = window
    reader, writer = await asyncio.open_connection(*address)
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            name = pick(rng)
            request = _request(mode, name, keys.for_query(name, rng), host, keys.api_key)
            started = time.perf_counter()
            status, raw = await asyncio.wait_for(exchange(reader, writer, request), 30.0)
            elapsed = time.perf_counter() - started
            if started < measured_from:
                continue  # warming up: the connection, and work the previous run left
            budget[0] -= 1
            samples = results.setdefault(name, Samples())
            body = orjson.loads(raw) if status == 200 else {}
            if status != 200 or body.get("errors") or body.get("data") is None:
                samples.errors += 1
            samples.latencies.append(elapsed)
    finally:
        writer.close()


async def run_load(
    base_urls: list[str],
    mode: str,
    pick: Callable[[random.Random], str],
    keys: Keys,
    clients: int,
    seconds: float,
    max_requests: int,
    seed: int,
    warmup: float = 0.0,
) -> tuple[dict[str, Samples], float]:
    """`clients` concurrent loops, one keep-alive connection each, for at most `seconds`
    and `max_requests` in total after `warmup` seconds not counted; client i connects to
    server i mod len(base_urls)."""
    urls = [httpx.URL(base) for base in base_urls]
    addresses = [(url.host, url.port or 80) for url in urls]
    results: dict[str, Samples] = {}
    budget = [max_requests]
    started = time.perf_counter() + warmup
    deadline = started + seconds
    await asyncio.gather(
        *(
            _client(
                addresses[i % len(addresses)],
                mode,
                pick,
                keys,
                results,
                (started, deadline),
                budget,
                random.Random(seed * 1000 + i),
            )
            for i in range(clients)
        )
    )
    elapsed = time.perf_counter() - started
    return results, elapsed


def pick_one(name: str) -> Callable[[random.Random], str]:
    return lambda rng: name


def pick_mix(rng: random.Random) -> str:
    return rng.choices(list(MIX), weights=list(MIX.values()))[0]
