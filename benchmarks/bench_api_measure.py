"""bench_api's measurement: which servers run which query at which concurrency, in what
turns, rounds and pairs, after checking that the project and PostGraphile answer alike."""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
from collections.abc import Callable

import bench_api_postgraphile as postgraphile
import httpx
from bench_api_answers import check_same, persons_with_records
from bench_api_database import issue_bench_key
from bench_api_load import Keys, pick_mix, pick_one, read_keys, run_load
from bench_api_paired import OFF, ON, PairedRuns
from bench_api_queries import QUERIES
from bench_api_report import Row, Samples, replace_mode, rows_of
from bench_api_servers import free_port, start_servers, stop_servers

logger = logging.getLogger("bench_api")


def check_answers(bases: dict[str, list[str]], url: str, keys: Keys, count: int) -> str:
    """Ask the project and PostGraphile the four queries for `count` keys each (every
    district, and the persons with the most records of each kind besides) and fail
    (`AnswersDifferError`) unless they answer alike (`bench_api_answers`)."""
    samples = {
        "person": [*persons_with_records(url), *keys.pinfls[:count]],
        "dashboard": keys.mahallas[:count],
        "page100": keys.mahallas[-count:],
        "district": keys.districts,
    }
    ours = {"Authorization": f"Bearer {keys.api_key}"} if keys.api_key else {}
    with httpx.Client(timeout=60) as client:
        for name, sample in samples.items():
            variable = "pinfl" if name == "person" else "code"
            for key in sample:
                answers = [
                    client.post(
                        f"{bases[mode][0]}/graphql",
                        json={"query": documents[name], "variables": {variable: key}},
                        headers=ours if mode == "graphql" else {},
                    ).json()
                    for mode, documents in (
                        ("graphql", QUERIES),
                        ("postgraphile", postgraphile.QUERIES),
                    )
                ]
                check_same(name, key, *answers)
    return "answers checked equal: " + ", ".join(f"{k} {len(v)}" for k, v in samples.items())


def _pool(
    before: tuple[dict[str, Samples], float] | None, results: dict[str, Samples], elapsed: float
) -> tuple[dict[str, Samples], float]:
    """The samples and time of one more round added to those of the rounds `before`."""
    if before is None:
        return results, elapsed
    pooled, total = before
    for name, samples in results.items():
        into = pooled.setdefault(name, Samples())
        into.latencies += samples.latencies
        into.errors += samples.errors
    return pooled, total + elapsed


def _pair_load(
    args: argparse.Namespace, bases: dict[str, list[str]], name: str, keys: Keys, clients: int
) -> Callable[[str, int], tuple[dict[str, Samples], float]]:
    """One short run of `name` on `mode`'s servers, pair `index` (both of a pair draw the
    same keys)."""

    def load(mode: str, index: int) -> tuple[dict[str, Samples], float]:
        return asyncio.run(
            run_load(
                bases[mode],
                mode,
                pick_one(name),
                keys,
                clients,
                args.seconds / args.pairs,
                args.max_requests,
                args.seed * 1000 + index,
                warmup=args.pair_warmup,
            )
        )

    return load


def measure(args: argparse.Namespace, url: str) -> tuple[list[Row], str, PairedRuns | None]:
    """The rows, what the answers check found, and with `--access both` the paired runs.
    For each concurrency and query, the servers take turns (project, PostGraphile, floor;
    `--rounds` times, each round starting with the next), so drift on a shared machine hits
    all alike; access on and off run in `--pairs` short pairs in the project's turn."""
    keys = read_keys(url, sample=5000, seed=args.seed)
    if args.access in ("keys", "both"):
        keys.api_key = issue_bench_key(url)
    paired_modes = ("both", "control")
    first = {"both": "keys", "control": "off"}.get(args.access)
    servers = start_servers(url, args.workers, first)
    ours = [f"http://127.0.0.1:{port}" for _, port in servers]
    bases = {"graphql": ours}
    if args.access in paired_modes:
        # The same servers without keys and audit, taking their turns in the same run:
        # separate runs drifted by up to half (the floor's own figures did).
        servers += start_servers(url, args.workers, "off")
        bases["graphql-off"] = [f"http://127.0.0.1:{port}" for _, port in servers[-args.workers :]]
    paired = (
        PairedRuns(args.seconds / args.pairs, args.pair_warmup)
        if args.access in paired_modes
        else None
    )
    theirs: list[subprocess.Popen[bytes]] = []
    checked = ""
    rows: list[Row] = []
    try:
        if args.postgraphile:
            reader = postgraphile.grant_reader(url)
            theirs, ports = postgraphile.start_servers(reader, args.workers, free_port)
            bases["postgraphile"] = [f"http://127.0.0.1:{port}" for port in ports]
            checked = check_answers(bases, url, keys, args.check_keys)
            logger.info(checked)
        bases["floor"] = ours
        for mode, base in bases.items():  # warm every path (pools, caches, imports, JIT)
            asyncio.run(run_load(base, mode, pick_mix, keys, 4, 2.0, 200, args.seed))
        for clients in args.clients:
            for name in QUERIES:
                pooled: dict[str, tuple[dict[str, Samples], float]] = {}
                # On and off run together, in pairs (`bench_api_paired`), in on's turn.
                modes = [mode for mode in bases if mode != OFF]
                for turn in range(args.rounds):
                    # Each round starts with the next server, so none always follows another.
                    for mode in modes[turn % len(modes) :] + modes[: turn % len(modes)]:
                        if mode == ON and paired is not None:
                            load = _pair_load(args, bases, name, keys, clients)
                            runs = paired.run(clients, name, args.pairs, turn * args.pairs, load)
                            for paired_mode, results_of_mode in runs.items():
                                for results, elapsed in results_of_mode:
                                    pooled[paired_mode] = _pool(
                                        pooled.get(paired_mode), results, elapsed
                                    )
                            continue
                        results, elapsed = asyncio.run(
                            run_load(
                                bases[mode],
                                mode,
                                pick_one(name),
                                keys,
                                clients,
                                args.seconds,
                                args.max_requests,
                                args.seed + turn,
                            )
                        )
                        pooled[mode] = _pool(pooled.get(mode), results, elapsed)
                for mode, (results, elapsed) in pooled.items():
                    rows += rows_of(clients, mode, results, elapsed)
            results, elapsed = asyncio.run(
                run_load(
                    ours,
                    "graphql",
                    pick_mix,
                    keys,
                    clients,
                    args.seconds,
                    args.max_requests,
                    args.seed,
                )
            )
            rows += [replace_mode(r, "mix") for r in rows_of(clients, "graphql", results, elapsed)]
    finally:
        postgraphile.stop_servers(theirs)
        stop_servers(servers)
    return rows, checked, paired
