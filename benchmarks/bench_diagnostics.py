"""Time every diagnostic product on a seeded graph, whole and for a few mahallas.

    uv run python benchmarks/seed_graph.py --database hub_bench --persons 1000000
    uv run python benchmarks/bench_diagnostics.py --url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench

Builds, in one transaction (rolled back unless --keep): household categories with
their evidence, notebook findings, the monthly indicators (every month up to the graph's
evidence date, at every level), the regional reports of the latest month, the quarterly
ratings of bodies and assistants. Then the incremental path after a delivery touching
`--share` of the mahallas: their surveys and loans dated in the open month and the month
before are written again (the latest month with late corrections for the one before), and
categories and notebook findings of those mahallas, the monthly indicators of the months
due (`months_due`: the open month and the month with late records) and their reports are
rebuilt. Prints one line per product with its wall seconds, this process's CPU seconds,
the CPU seconds of its PostgreSQL backend (read from /proc: run it on the database's
machine; parallel query workers are not in them) and rows, the totals, and the peak
resident memory: on a shared machine the CPU columns are the figures to compare. The
reports use one chart cache (`report_cache`) for the whole run, as a reports folder does
between runs: the line says how many charts were drawn and how many reused.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_audit import _backend_cpu
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from hub.diagnostics.categories import refresh_household_categories
from hub.diagnostics.evidence import evidence_as_of
from hub.diagnostics.monthly_store import MonthlyRefresh, months_due, refresh_monthly_indicators
from hub.diagnostics.notebooks import refresh_notebook_findings
from hub.diagnostics.ratings_assistants import refresh_assistant_ratings
from hub.diagnostics.ratings_bodies import refresh_body_ratings
from hub.diagnostics.report_cache import ChartCache
from hub.diagnostics.report_data import shift_month
from hub.diagnostics.report_html import CHARTS, write_region_reports
from hub.diagnostics.rules import load_rules
from hub.graph.database import create_hub_engine, create_session_factory
from hub.graph.models import Household, Loan, Mahalla, Person

TOTALS: dict[str, float] = {}
BACKENDS: list[int] = []
"""The PostgreSQL backend of the run's session (none on SQLite)."""


def _timed(label: str, work: Callable[[], Any], total: str) -> Any:
    started, cpu, db = time.perf_counter(), time.process_time(), _backend_cpu(BACKENDS)
    result = work()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db = _backend_cpu(BACKENDS) - db
    TOTALS[total] = TOTALS.get(total, 0.0) + elapsed
    if isinstance(result, MonthlyRefresh):
        size: object = f"{result.written} figures, {len(result.months)} months"
    elif isinstance(result, list):
        size = f"{len(result)} months"
    else:
        size = getattr(result, "height", result)
    sys.stdout.write(f"{label:<48} {elapsed:7.2f} s {cpu:6.2f} s cpu {db:6.2f} s db   {size}\n")
    return result


def _deliver(session: Session, codes: list[str], open_month: date) -> int:
    """Write again the surveys and loans of `codes` dated in `open_month` and the month
    before: what a delivery of those mahallas' latest month with late corrections for
    the month before does to the graph."""
    since = shift_month(open_month, -1)
    written_at = datetime.now(UTC) + timedelta(seconds=1)
    people = select(Person.id).where(Person.mahalla_code.in_(codes))
    statements = [
        update(Household)
        .where(Household.mahalla_code.in_(codes), Household.surveyed_on >= since)
        .values(last_confirmed_at=written_at),
        update(Loan)
        .where(Loan.person_id.in_(people), Loan.issued_on >= since)
        .values(last_confirmed_at=written_at),
    ]
    return sum(session.execute(stmt).rowcount for stmt in statements)  # type: ignore[attr-defined]


def _reports(session: Session, folder: Path, months: list[date], charts: ChartCache) -> str:
    drawn, reused = charts.drawn, charts.reused
    files = write_region_reports(session, folder, months, charts)
    return (
        f"{len(files)} files, {charts.drawn - drawn} charts drawn, {charts.reused - reused} reused"
    )


def _run(session: Session, share: float, reports: Path) -> None:
    if session.get_bind().dialect.name == "postgresql":
        BACKENDS.append(session.scalar(text("SELECT pg_backend_pid()")))
    as_of = evidence_as_of(session)
    if as_of is None:
        raise SystemExit("The graph is empty: seed it first (benchmarks/seed_graph.py).")
    sys.stdout.write(f"as of {as_of}\n")
    rules = load_rules()
    month = [as_of.replace(day=1)]
    whole, step = "every product", "incremental"
    charts = ChartCache(reports / CHARTS)
    _timed(
        "household_categories (all)", lambda: refresh_household_categories(session, as_of), whole
    )
    _timed("notebook_findings (all)", lambda: refresh_notebook_findings(session, as_of), whole)
    _timed(
        "monthly_indicators (all months)",
        lambda: refresh_monthly_indicators(session, as_of),
        whole,
    )
    _timed(
        "monthly_report (latest month, every region)",
        lambda: _reports(session, reports, month, charts),
        whole,
    )
    _timed(
        "body_ratings (all quarters)", lambda: refresh_body_ratings(session, rules, as_of), whole
    )
    _timed(
        "assistant_ratings (all quarters)",
        lambda: refresh_assistant_ratings(session, rules),
        whole,
    )
    codes = list(session.scalars(select(Mahalla.code).order_by(Mahalla.code)))
    touched = codes[: max(1, round(len(codes) * share))]
    rows = _deliver(session, touched, as_of.replace(day=1))
    label = f"({len(touched)} of {len(codes)} mahallas)"
    sys.stdout.write(f"delivery: {rows} surveys and loans of {len(touched)} mahallas\n")
    _timed(
        f"household_categories {label}",
        lambda: refresh_household_categories(session, as_of, mahalla_codes=touched),
        step,
    )
    _timed(
        f"notebook_findings {label}",
        lambda: refresh_notebook_findings(session, as_of, mahalla_codes=touched),
        step,
    )
    due = _timed("months_due", lambda: months_due(session, as_of), step)
    _timed(
        "monthly_indicators (months due)",
        lambda: refresh_monthly_indicators(session, as_of, only=due),
        step,
    )
    _timed(
        "monthly_report (months due, every region)",
        lambda: _reports(session, reports, due, charts),
        step,
    )
    _timed(
        "assistant_ratings (all quarters)",
        lambda: refresh_assistant_ratings(session, rules),
        step,
    )
    for name, seconds in TOTALS.items():
        sys.stdout.write(f"{'total, ' + name:<48} {seconds:8.2f} s\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the seeded graph's SQLAlchemy URL")
    parser.add_argument("--share", type=float, default=0.05, help="share of mahallas touched")
    parser.add_argument("--keep", action="store_true", help="commit what was built")
    args = parser.parse_args(argv)
    engine = create_hub_engine(args.url)
    sessions = create_session_factory(engine)
    try:
        with sessions() as session, tempfile.TemporaryDirectory() as reports:
            _run(session, args.share, Path(reports))
            if args.keep:
                session.commit()
            else:
                session.rollback()
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        sys.stdout.write(f"peak resident memory {peak_mib:.0f} MiB\n")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
