"""What `bench_api.py` measured, as rows, a table and verdicts against the targets.

A row is one query at one concurrency against one server: `graphql` (the project's API),
`postgraphile` (PostGraphile 5 on the same database), `floor` (hand-written SQL) or `mix`
(the project's API under the realistic mix). The project's rows carry its throughput
divided by PostGraphile's on the same query and concurrency (`÷PG`, issue 15's target is
at least 1.0).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

SERVERS = ("graphql", "graphql-off", "postgraphile", "floor", "mix")


@dataclass
class Samples:
    """Latencies (seconds) of one query in one run, and how many requests failed."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Row:
    clients: int
    query: str
    mode: str
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


def rows_of(clients: int, mode: str, results: dict[str, Samples], elapsed: float) -> list[Row]:
    total = sum(len(s.latencies) for s in results.values())
    rows = []
    for name, samples in sorted(results.items()):
        share = len(samples.latencies) / total if total else 0.0
        rows.append(
            Row(
                clients,
                name,
                mode,
                len(samples.latencies),
                total * share / elapsed,
                samples.percentile(0.50) * 1000,
                samples.percentile(0.95) * 1000,
                samples.percentile(0.99) * 1000,
                samples.errors,
            )
        )
    return rows


def replace_mode(row: Row, mode: str) -> Row:
    return replace(row, mode=mode)


def _ratios(rows: list[Row]) -> dict[tuple[int, str], float]:
    """Project ÷ PostGraphile requests per second, by (clients, query)."""
    by = {(r.clients, r.query, r.mode): r for r in rows}
    ratios = {}
    for (clients, query, mode), row in by.items():
        theirs = by.get((clients, query, "postgraphile"))
        if mode == "graphql" and theirs is not None and theirs.rps > 0:
            ratios[(clients, query)] = row.rps / theirs.rps
    return ratios


def table(title: str, rows: list[Row], queries: list[str]) -> str:
    """Rows grouped by query (in `queries` order), then clients, then server."""
    ratios = _ratios(rows)
    ordered = sorted(
        rows,
        key=lambda r: (
            queries.index(r.query) if r.query in queries else len(queries),
            r.clients,
            SERVERS.index(r.mode),
        ),
    )
    lines = [
        title,
        f"{'query':<10} {'clients':>7} {'server':<12} {'requests':>8} {'req/s':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'÷PG':>5}",
    ]
    for r in ordered:
        ratio = ratios.get((r.clients, r.query)) if r.mode == "graphql" else None
        lines.append(
            f"{r.query:<10} {r.clients:>7} {r.mode:<12} {r.requests:>8} {r.rps:>8.1f} "
            f"{r.p50:>8.1f} {r.p95:>8.1f} {r.p99:>8.1f} {r.errors:>6} "
            + (f"{ratio:>5.2f}" if ratio is not None else f"{'':>5}")
        )
    return "\n".join(lines) + "\n"


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def verdicts(rows: list[Row]) -> str:
    by = {(r.clients, r.query, r.mode): r for r in rows}
    lines = ["targets:"]
    for query in ("person", "dashboard"):
        row = by.get((10, query, "graphql"))
        if row is not None:
            lines.append(
                f"  p95 <= 50 ms at 10 clients, {query}: {row.p95:.1f} ms "
                f"({_verdict(row.p95 <= 50)})"
            )
    for (clients, query, mode), row in sorted(by.items()):
        floor = by.get((clients, query, "floor"))
        if mode == "graphql" and floor is not None and floor.rps > 0:
            ratio = row.rps / floor.rps
            lines.append(
                f"  GraphQL/floor throughput, {query} at {clients}: {ratio:.2f} "
                f"({_verdict(ratio >= 0.5)})"
            )
    for (clients, query), ratio in sorted(_ratios(rows).items()):
        lines.append(
            f"  project/PostGraphile throughput, {query} at {clients}: {ratio:.2f} "
            f"({_verdict(ratio >= 1.0)})"
        )
    return "\n".join(lines) + "\n"
