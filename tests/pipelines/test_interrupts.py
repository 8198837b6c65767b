"""A run told to stop (SIGTERM or SIGINT) stops, and the next run starts cleanly (issue 14,
item 11): the interrupted walk is not retried, its delivery is not landed, no cursor is
saved for it, and the next run reads from the last saved cursor."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import select

from connectors.tax import TaxApiConnector
from hub.graph.models import Delivery, SourceCursor
from pipelines.resources import HubDatabase, TaxAgency
from pipelines.steps.land import land_tax

PROJECT = Path(__file__).resolve().parents[2]

# A scheduled run of `raw_tax` against a tax API that never ends (a new item and token on
# every page): it prints "walking" once it is well inside the walk, then waits to be stopped.
_RUN = """
import itertools, sys, time
import httpx
from dagster import DagsterInstance, materialize
from connectors.tax import TaxApiConnector
from pipelines.assets import ALL_ASSETS
from pipelines.resources import HubDatabase, TaxAgency

pages = itertools.count()

def handle(request):
    n = next(pages)
    if n == 3:
        print("walking", flush=True)
    time.sleep(0.01)
    item = {"tin": f"{n:09d}", "full_name": "X", "regime": "self_employed",
            "registered_on": "2022-01-01", "declared_income_uzs": "1", "tax_year": 2022,
            "updated_at": "2022-12-01T10:00:00+05:00"}
    return httpx.Response(200, json={"items": [item], "next_page_token": f"t{n}"})

class EndlessTax(TaxAgency):
    def connector(self):
        return TaxApiConnector(self.base_url, self.token, transport=httpx.MockTransport(handle))

hub = HubDatabase(database_url=sys.argv[1], landing_dir=sys.argv[2])
raw_tax = [a for a in ALL_ASSETS if a.key.path[-1] == "raw_tax"]
result = materialize(
    raw_tax,
    resources={"hub_db": hub, "tax_agency": EndlessTax(base_url="https://tax.example", token="t")},
    instance=DagsterInstance.ephemeral(),
    raise_on_error=False,
)
print("success" if result.success else "stopped", flush=True)
"""


class _FiniteTax(TaxAgency):
    def connector(self) -> TaxApiConnector:
        item = {
            "tin": "900000001",
            "full_name": "Y",
            "regime": "self_employed",
            "registered_on": "2022-01-01",
            "declared_income_uzs": "1",
            "tax_year": 2022,
            "updated_at": "2022-12-02T10:00:00+05:00",
        }
        transport = httpx.MockTransport(
            lambda request: httpx.Response(200, json={"items": [item], "next_page_token": None})
        )
        return TaxApiConnector(self.base_url, self.token, transport=transport)


def _run_and_stop(url: str, landing: Path, signum: int) -> str:
    child = subprocess.Popen(
        [sys.executable, "-c", _RUN, url, str(landing)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    try:
        for line in child.stdout:
            if line.strip() == "walking":
                child.send_signal(signum)
                break
        # A bound so that a regression fails the test instead of hanging the suite.
        rest, _ = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    return rest


def test_a_run_stopped_by_sigterm_stops_and_the_next_run_resumes_from_the_saved_cursor(
    graph_db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Dagster gives SIGTERM the handler of SIGINT, so this covers Ctrl-C as well.
    landing = tmp_path / "landing"
    assert _run_and_stop(graph_db.url, landing, signal.SIGTERM).split() == ["stopped"]
    with graph_db.session() as session:
        (stopped,) = session.scalars(select(Delivery).where(Delivery.source == "tax")).all()
        assert stopped.status == "landing" and stopped.cursor_to is None
        assert session.scalars(select(SourceCursor)).all() == []

    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(landing))
    report = land_tax(hub, _FiniteTax(base_url="https://tax.example", token="t"), run_id=None)

    assert (report.delivered, report.accepted) == (1, 1)
    with graph_db.session() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert [(d.status, d.cursor_from) for d in rows] == [("failed", None), ("landed", None)]
        assert "interrupted" in (rows[0].message or "")
        assert rows[1].cursor_to == "2022-12-02T10:00:00+05:00"
