"""Time every diagnostic product on a seeded graph, whole and for a few mahallas.

    uv run python benchmarks/seed_graph.py --database hub_bench --persons 1000000
    uv run python benchmarks/bench_diagnostics.py --url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench

Builds, in one transaction each (rolled back unless --keep): household categories with
their evidence, notebook findings, the monthly indicators (every month up to the graph's
evidence date, at every level), the quarterly ratings of bodies and assistants. Then the
incremental path: categories and notebook findings
of `--share` of the mahallas (what a delivery touching them would refresh). Prints one
line per product with its seconds and rows, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.diagnostics.categories import refresh_household_categories
from hub.diagnostics.evidence import evidence_as_of
from hub.diagnostics.monthly_store import refresh_monthly_indicators
from hub.diagnostics.notebooks import refresh_notebook_findings
from hub.diagnostics.ratings_assistants import refresh_assistant_ratings
from hub.diagnostics.ratings_bodies import refresh_body_ratings
from hub.diagnostics.rules import load_rules
from hub.graph.database import create_hub_engine, create_session_factory
from hub.graph.models import Mahalla


def _timed(label: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    size = getattr(result, "height", result)
    sys.stdout.write(f"{label:<40} {elapsed:8.2f} s   {size}\n")
    return result


def _run(session: Session, share: float) -> None:
    as_of = evidence_as_of(session)
    if as_of is None:
        raise SystemExit("The graph is empty: seed it first (benchmarks/seed_graph.py).")
    sys.stdout.write(f"as of {as_of}\n")
    _timed("household_categories (all)", lambda: refresh_household_categories(session, as_of))
    _timed("notebook_findings (all)", lambda: refresh_notebook_findings(session, as_of))
    _timed("monthly_indicators (all months)", lambda: refresh_monthly_indicators(session, as_of))
    rules = load_rules()
    _timed("body_ratings (all quarters)", lambda: refresh_body_ratings(session, rules, as_of))
    _timed("assistant_ratings (all quarters)", lambda: refresh_assistant_ratings(session, rules))
    codes = list(session.scalars(select(Mahalla.code).order_by(Mahalla.code)))
    touched = codes[: max(1, round(len(codes) * share))]
    label = f"({len(touched)} of {len(codes)} mahallas)"
    _timed(
        f"household_categories {label}",
        lambda: refresh_household_categories(session, as_of, mahalla_codes=touched),
    )
    _timed(
        f"notebook_findings {label}",
        lambda: refresh_notebook_findings(session, as_of, mahalla_codes=touched),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the seeded graph's SQLAlchemy URL")
    parser.add_argument("--share", type=float, default=0.05, help="share of mahallas touched")
    parser.add_argument("--keep", action="store_true", help="commit what was built")
    args = parser.parse_args(argv)
    engine = create_hub_engine(args.url)
    sessions = create_session_factory(engine)
    try:
        with sessions() as session:
            _run(session, args.share)
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
