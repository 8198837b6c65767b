"""Throughput and memory of the connectors: records/s and peak RSS per source.

    uv run python benchmarks/bench_connectors.py --generate 200000 --api-sandbox 100000
    uv run python benchmarks/bench_connectors.py --world path/to/world [--tax-url URL ...]

`--world DIR` reads every file source from `DIR/<source>/` (registry, survey, employment,
land, appeals), the layout of a delivery folder per source; `--only land,survey` measures just
those. `--generate N` first writes N records per file source in the contract formats
(about 1 % of them corrupt, so the reject path is measured too) into a temporary folder. The HTTP
connectors run against `--tax-url` / `--bank-url` (credentials from HUB_TAX_API_TOKEN /
HUB_BANK_API_KEY), with `--api-sandbox N` against `sandbox serve` in a process of its own (so
that server and client do not share a GIL) serving N items per API, or with `--api-mock N`
against an in-process `httpx.MockTransport` serving N items (parsing and paging cost only).
Against a real server each API gets a second row, `<api> server`: the same pages fetched by
the same kind of client and not decoded, the server's own ceiling for one client, to compare
the connector with (both clocks start once the client is set up). `--passes N` walks each API
N times in its process, for steadier figures when a world's APIs serve only some tens of
thousands of items.

Each source runs in a fresh process so that its peak RSS is its own. Besides wall-clock
records/s the table shows the process's CPU seconds and records per CPU second, which move
less when other work shares the machine. Survey is counted in households (one per line, the
unit the file delivers) and, on a second row, in the persons inside them. The load average
before and after is printed below the table: figures taken on a busy machine are low.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from connectors.appeals import AppealsConnector
from connectors.bank import PATH as BANK_PATH
from connectors.bank import BankApiConnector
from connectors.employment import HEADER as EMPLOYMENT_HEADER
from connectors.employment import EmploymentConnector
from connectors.http_fetch import DEFAULT_TIMEOUT
from connectors.land import LandConnector
from connectors.outcomes import DeliveryReading
from connectors.records import SurveyHousehold
from connectors.registry import MAHALLA_COLUMNS, RegistryConnector
from connectors.settings import Secret
from connectors.survey import SurveyConnector
from connectors.tax import PATH as TAX_PATH
from connectors.tax import TaxApiConnector

FILE_CONNECTORS: dict[str, Any] = {
    "registry": RegistryConnector,
    "survey": SurveyConnector,
    "employment": EmploymentConnector,
    "land": LandConnector,
    "appeals": AppealsConnector,
}
CORRUPT_EVERY = 97


@dataclass(frozen=True)
class Measurement:
    source: str
    records: int
    rejects: int
    members: int  # survey members inside the accepted households (0 for other sources)
    seconds: float
    cpu_seconds: float  # this process's CPU time: less sensitive to a loaded machine
    peak_rss_mb: float


# --- synthetic deliveries in the contract formats ------------------------------------------


def _pinfl(rng: random.Random) -> str:
    return f"3{rng.randrange(10**12, 10**13)}"


def _survey_line(n: int, rng: random.Random) -> bytes:
    members = [
        {
            "member_no": m,
            "full_name": f"Abdullayev{n} Akmal Baxtiyor o‘g‘li",
            "pinfl": _pinfl(rng),
            "birth_date": f"{rng.randint(1940, 2020)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "sex": rng.choice("MF"),
            "relation": "head" if m == 1 else "child",
            "occupation": rng.choice(["employed", "unemployed", "student", "child"]),
            "notebook": rng.choice([None, "iron", "youth"]),
        }
        for m in range(1, rng.randint(2, 6))
    ]
    item = {
        "survey_id": f"SV-1703202015-{n:07d}",
        "mahalla_code": "1703202015",
        "assistant_id": "A-00042",
        "surveyed_on": "2022-01-14",
        "address": {"street": "Navoiy ko‘chasi", "house": str(n % 200), "apartment": None},
        "category": rng.randint(1, 4),
        "monthly_income_uzs": rng.randrange(0, 10_000_000),
        "plot_sotix": rng.choice([None, 4.5, 2.0]),
        "needs": ["subsidy"],
        "members": members,
    }
    line = orjson.dumps(item)
    return line[: len(line) // 2] if n % CORRUPT_EVERY == 0 else line


def _appeal_line(n: int, rng: random.Random) -> bytes:
    item = {
        "appeal_id": f"AP-2022-{n:08d}",
        "received_at": "2022-07-03T09:15:00+05:00",
        "channel": rng.choice(["assistant", "hotline", "virtual_reception"]),
        "mahalla_code": "1703202015",
        "applicant": {"pinfl": _pinfl(rng), "full_name": "Abdullayev Akmal", "phone": None},
        "topic": "telegram" if n % CORRUPT_EVERY == 0 else rng.choice(["gas", "water", "roads"]),
        "addressed_to": "district_khokimiyat",
        "status": "resolved",
        "resolved_at": "2022-07-10T16:00:00+05:00",
    }
    return orjson.dumps(item)


def _employment_row(n: int, rng: random.Random) -> str:
    born = (
        "31.02.1985"
        if n % CORRUPT_EVERY == 0
        else f"{rng.randint(10, 28)}.0{rng.randint(1, 9)}.1985"
    )
    status = rng.choice(["безработный", "трудоустроен", "общественные работы", "обучение"])
    employer = "207654321" if status == "трудоустроен" else ""
    return (
        f"E2022-{n:08d};{_pinfl(rng)};Абдуллаев Акмал Бахтиёр угли;{born};{rng.choice('МЖ')};"
        f"1703202015;{status};01.02.2022;{employer};\r\n"
    )


def _mahalla_row(n: int, rng: random.Random) -> str:
    stir = "20712345x" if n % CORRUPT_EVERY == 0 else f"2{rng.randrange(10**7, 10**8)}"
    return f"1703,Andijon viloyati,1703202,Asaka tumani,1703202{n % 1000:03d},MFY {n},{stir}\n"


def _lease(n: int, rng: random.Random) -> str:
    area = "0.5" if n % CORRUPT_EVERY == 0 else f"0,{rng.randint(1, 99)}"
    return (
        f'  <Lease id="LS-{n:08d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n % 10000:04d}" mahalla="1703202015" '
        f'areaHa="{area}" purpose="household_plot" crop="tomato"/>'
        f'<Lessee kind="person" pinfl="{_pinfl(rng)}" tin="" name="Abdullayev A. B."/>'
        '<Term start="2022-03-01" end="2027-02-28"/></Lease>\n'
    )


def _write_lines(path: Path, head: bytes, lines: Iterable[bytes], tail: bytes = b"") -> None:
    with path.open("wb") as out:
        out.write(head)
        batch: list[bytes] = []
        for line in lines:
            batch.append(line)
            if len(batch) == 10_000:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch) + tail)


def generate_world(root: Path, count: int) -> None:
    """Write `count` records per file source under `root/<source>/`."""
    rng = random.Random(20220101)
    for source in FILE_CONNECTORS:
        (root / source).mkdir(parents=True, exist_ok=True)
    ns = range(1, count + 1)
    mahalla_head = (",".join(MAHALLA_COLUMNS) + "\n").encode()
    _write_lines(
        root / "registry" / "mahallas.csv",
        mahalla_head,
        (_mahalla_row(n, rng).encode() for n in ns),
    )
    _write_lines(
        root / "survey" / "survey_2022-01.jsonl", b"", (_survey_line(n, rng) + b"\n" for n in ns)
    )
    _write_lines(
        root / "appeals" / "appeals_2022-07.jsonl", b"", (_appeal_line(n, rng) + b"\n" for n in ns)
    )
    _write_lines(
        root / "employment" / "employment_2022-02.csv",
        (";".join(EMPLOYMENT_HEADER) + "\r\n").encode("cp1251"),
        (_employment_row(n, rng).encode("cp1251") for n in ns),
    )
    _write_lines(
        root / "land" / "leases_2022-12-01.xml",
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<LeaseExport generated="2022-12-01T00:00:00+05:00">\n',
        (_lease(n, rng).encode() for n in ns),
        b"</LeaseExport>\n",
    )


# --- measuring ------------------------------------------------------------------------------


def _consume(readings: Iterable[DeliveryReading[Any]]) -> tuple[int, int, int]:
    records = rejects = members = 0
    for reading in readings:
        for item in reading:
            if type(item) is SurveyHousehold:
                members += len(item.members)
        records += reading.stats.accepted
        rejects += reading.stats.rejected
    return records, rejects, members


def _tax_items(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [
        {
            "tin": f"4{n:08d}",
            "pinfl": _pinfl(rng),
            "full_name": "ABDULLAYEV AKMAL",
            "birth_date": "1985-03-15",
            "regime": "self_employed",
            "activity_code": "47190",
            "registered_on": "2022-05-01",
            "closed_on": None,
            "declared_income_uzs": f"{rng.randrange(10**8)}.00",
            "tax_year": 2022,
            "mahalla_code": "1703202015",
            "address": "Asaka t.",
            "updated_at": "2022-12-01T10:00:00+05:00",
        }
        for n in range(count)
    ]


def _bank_items(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [
        {
            "loan_id": f"00873-2022-{n:06d}",
            "bank_mfo": "00873",
            "kind": "loan",
            "program": "microloan",
            "borrower": {
                "pinfl": _pinfl(rng),
                "name": "ABDULLAEV A.B.",
                "birth_date": "15.03.1985",
                "passport": "AB1234567",
            },
            "amount_tiyin": 3_000_000_000,
            "issued_on": "2022-04-11",
            "term_months": 36,
            "status": "active",
            "purpose": "greenhouse",
            "mahalla_code": "1703202015",
        }
        for n in range(count)
    ]


def _mock_api(source: str, count: int) -> httpx.MockTransport:
    if source == "tax":
        items = _tax_items(count)

        def tax(request: httpx.Request) -> httpx.Response:
            start = int(request.url.params.get("page_token", "0"))
            size = int(request.url.params["page_size"])
            token = str(start + size) if start + size < count else None
            return httpx.Response(
                200,
                content=orjson.dumps(
                    {"items": items[start : start + size], "next_page_token": token}
                ),
            )

        return httpx.MockTransport(tax)
    loans = _bank_items(count)

    def bank(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        return httpx.Response(
            200,
            content=orjson.dumps(
                {
                    "total": count,
                    "offset": offset,
                    "limit": limit,
                    "data": loans[offset : offset + limit],
                }
            ),
        )

    return httpx.MockTransport(bank)


def write_api_world(root: Path, count: int) -> None:
    """The API data of a sandbox world (`sandbox serve` reads it): `count` items per API."""
    for source, items, name in (
        ("tax", _tax_items(count), "taxpayers.jsonl"),
        ("bank", _bank_items(count), "loans.jsonl"),
    ):
        folder = root / "api" / source
        folder.mkdir(parents=True, exist_ok=True)
        _write_lines(folder / name, b"", (orjson.dumps(item) + b"\n" for item in items))


@contextmanager
def sandbox_server(world: Path) -> Iterator[str]:
    """`sandbox serve world` in its own process (its own GIL); yields the base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from sandbox.cli import app; app()", "serve", str(world)]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox server did not start on {base}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


_NEXT_TOKEN = re.compile(rb'"next_page_token":(?:"([^"]*)"|null)}$')


def _raw_client(source: str, url: str, secret: str) -> tuple[httpx.Client, int]:
    """An httpx client with the connector's headers and timeout, and its page size. Made
    before the clock starts, as the connector is: setting up a client loads certificates
    (about 40 ms, which alone halved the ceiling of a 57,000-item walk)."""
    api: Any = TaxApiConnector(url, secret) if source == "tax" else BankApiConnector(url, secret)
    api.close()
    headers = api.auth_headers(Secret(secret))
    client = httpx.Client(base_url=url, headers=headers, timeout=DEFAULT_TIMEOUT)
    return client, api.page_size


def _walk_raw(source: str, client: httpx.Client, page_size: int) -> int:
    """Every page of the API fetched as the connector asks for them (the same page size),
    nothing decoded: the server's ceiling for one client. Returns the number of items
    served."""
    if source == "tax":
        params: dict[str, Any] = {"page_size": page_size}
        served = 0
        while True:
            body = client.get(TAX_PATH, params=params).raise_for_status().content
            served += body.count(b'"tin":')
            token = _NEXT_TOKEN.search(body, len(body) - 400)
            if token is None or token.group(1) is None:
                return served
            params["page_token"] = token.group(1).decode()
    offset, total = 0, 1
    while offset < total:
        query = {"offset": offset, "limit": page_size}
        body = client.get(BANK_PATH, params=query).raise_for_status().content
        head = re.match(rb'{"total":(\d+)', body)
        total = int(head.group(1)) if head else 0
        offset += page_size
    return total


def _peak_rss_mb() -> float:
    """This process's RSS high-water mark. VmHWM is reset by exec; ru_maxrss is not (on
    Linux it keeps the parent's figure from before the fork), so prefer VmHWM."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_one(job: tuple[str, str, dict[str, Any]]) -> Measurement:
    source, kind, options = job
    passes = options.get("passes", 1)
    read: Callable[[], Iterable[DeliveryReading[Any]]]
    if kind == "ceiling":
        client, page_size = _raw_client(source, options["url"], options["secret"])
        with client:
            started, cpu_started = time.perf_counter(), time.process_time()
            served = sum(_walk_raw(source, client, page_size) for _ in range(passes))
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
        label = f"{source} server"
        return Measurement(label, served, 0, 0, seconds, cpu_seconds, _peak_rss_mb())
    if kind == "file":
        connector = FILE_CONNECTORS[source](Path(options["folder"]))
        read = connector.read_all
    else:
        api_type = TaxApiConnector if source == "tax" else BankApiConnector
        transport = _mock_api(source, options["mock"]) if options.get("mock") else None
        api = api_type(options.get("url"), options.get("secret"), transport=transport)
        read = lambda: [api.read_delivery() for _ in range(passes)]  # noqa: E731 - adapter
    started, cpu_started = time.perf_counter(), time.process_time()
    records, rejects, members = _consume(read())
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = _peak_rss_mb()
    label = f"{source} mock" if options.get("mock") else source
    return Measurement(label, records, rejects, members, seconds, cpu_seconds, peak_mb)


def _table(rows: list[Measurement]) -> str:
    """records/s counts delivered units: a CSV row, a JSON line, a <Lease>, an API item. A
    survey line is one household; the `survey persons` row counts the persons (members)
    inside the accepted households instead. `<api> server` rows are the server's ceiling."""
    header = ("source", "records", "rejects", "seconds", "records/s", "cpu s", "rec/cpu-s")
    lines = ["{:<19}{:>10}{:>9}{:>9}{:>11}{:>8}{:>11}{:>13}".format(*header, "peak RSS MB")]
    for row in rows:
        label = "survey households" if row.members else row.source
        lines.append(_table_line(label, row, row.records, row.rejects))
        if row.members:
            lines.append(_table_line("survey persons", row, row.members, 0))
    return "\n".join(lines) + "\n"


def _table_line(label: str, row: Measurement, records: int, rejects: int) -> str:
    units = records + rejects
    rate = units / row.seconds if row.seconds else 0.0
    cpu_rate = units / row.cpu_seconds if row.cpu_seconds else 0.0
    return (
        f"{label:<19}{records:>10}{rejects:>9}{row.seconds:>9.2f}{rate:>11,.0f}"
        f"{row.cpu_seconds:>8.2f}{cpu_rate:>11,.0f}{row.peak_rss_mb:>13.1f}"
    )


def _api_jobs(
    source: str, url: str, secret: str | None, passes: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """The connector against a real server, then the server's ceiling measured the same way."""
    options = {"url": url, "secret": secret, "passes": passes}
    return [(source, "api", options), (source, "ceiling", options)]


def _jobs(args: argparse.Namespace, world: Path | None, sandbox: str | None) -> list[Any]:
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    if world is not None:
        chosen = [s for s in FILE_CONNECTORS if args.only is None or s in args.only]
        jobs += [(s, "file", {"folder": str(world / s)}) for s in chosen if (world / s).is_dir()]
    if args.tax_url:
        jobs += _api_jobs("tax", args.tax_url, os.environ.get("HUB_TAX_API_TOKEN"), args.passes)
    if args.bank_url:
        jobs += _api_jobs("bank", args.bank_url, os.environ.get("HUB_BANK_API_KEY"), args.passes)
    if sandbox is not None:
        # Imported here: the sandbox package pulls in numpy and more, which would swell the
        # peak RSS of every measuring process that imports this module.
        from sandbox.serve.settings import (
            BANK_BASE_PATH,
            DEFAULT_BANK_API_KEY,
            DEFAULT_TAX_TOKEN,
            TAX_BASE_PATH,
        )

        jobs += _api_jobs("tax", f"{sandbox}{TAX_BASE_PATH}", DEFAULT_TAX_TOKEN, args.passes)
        jobs += _api_jobs("bank", f"{sandbox}{BANK_BASE_PATH}", DEFAULT_BANK_API_KEY, args.passes)
    if args.api_mock:
        mock = {"url": "http://mock.invalid", "secret": "x", "mock": args.api_mock}
        mock |= {"passes": args.passes}
        jobs += [(source, "api", mock) for source in ("tax", "bank")]
    return jobs


def _load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _source_names(text: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(names - FILE_CONNECTORS.keys())
    if unknown:
        raise argparse.ArgumentTypeError(f"not a file source: {', '.join(unknown)}")
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="a folder with one sub-folder per file source")
    parser.add_argument(
        "--generate", type=int, metavar="N", help="write N records per file source first"
    )
    parser.add_argument("--tax-url", help="tax API base URL (token from HUB_TAX_API_TOKEN)")
    parser.add_argument("--bank-url", help="bank API base URL (key from HUB_BANK_API_KEY)")
    parser.add_argument(
        "--api-mock", type=int, metavar="N", help="run tax and bank on N mocked items"
    )
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        metavar="N",
        help="walk each API N times in its measuring process (steadier figures for small "
        "worlds; the ceiling walks as often)",
    )
    parser.add_argument(
        "--only",
        type=_source_names,
        metavar="SOURCES",
        help="measure only these file sources of the world, comma-separated (land,survey)",
    )
    parser.add_argument(
        "--api-sandbox",
        type=int,
        metavar="N",
        help="serve N items per API with `sandbox serve` in its own process and read them",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-connectors-") as scratch, ExitStack() as stack:
        world, sandbox = args.world, None
        if args.generate:
            world = Path(scratch)
            started = time.perf_counter()
            generate_world(world, args.generate)
            sys.stderr.write(
                f"generated {args.generate} records per file source "
                f"in {time.perf_counter() - started:.1f} s\n"
            )
        if args.api_sandbox:
            write_api_world(Path(scratch), args.api_sandbox)
            sandbox = stack.enter_context(sandbox_server(Path(scratch)))
        jobs = _jobs(args, world, sandbox)
        if not jobs:
            parser.error(
                "nothing to measure: give --world, --generate, an API URL, --api-mock "
                "or --api-sandbox"
            )
        before = _load_average()
        context = multiprocessing.get_context("spawn")
        rows = []
        for job in jobs:  # a fresh process per source: its peak RSS is its own
            with context.Pool(1) as pool:
                rows.append(pool.apply(_run_one, (job,)))
    sys.stdout.write(_table(rows))
    sys.stdout.write(f"load average (1, 5, 15 min): {before} before, {_load_average()} after\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
