"""A run told to stop in the middle of an endless walk (issue 14, item 11).

The case serves a tax API that never ends (new items on every page) from 127.0.0.1, starts
a scheduled run of `raw_tax` (Dagster's `materialize`, as the daemon's run worker executes
it) in a child process, sends it SIGTERM once it is well into the walk, and measures how
long it takes to stop. The agency then ends its walk, and the next run lands the delivery
from the cursor the stopped run left unchanged: the counts reported are that delivery's.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from hub.graph.models import Delivery, SourceCursor
from pipelines.resources import TaxAgency
from pipelines.steps.land import land_tax
from pipelines.steps.load import load_pending
from pipelines.steps.stage import stage_pending

from . import FaultCase, FaultOutcome
from .bounds import Answer, json_answer, serve_agency, tax_item
from .small_hub import registered_hub

_RUN = """
import sys
from dagster import DagsterInstance, materialize
from pipelines.assets import ALL_ASSETS
from pipelines.resources import HubDatabase, TaxAgency
hub = HubDatabase(database_url=sys.argv[1], landing_dir=sys.argv[2])
result = materialize(
    [a for a in ALL_ASSETS if a.key.path[-1] == "raw_tax"],
    resources={"hub_db": hub, "tax_agency": TaxAgency(base_url=sys.argv[3], token="t")},
    instance=DagsterInstance.ephemeral(),
    raise_on_error=False,
)
"""
_PAGES_BEFORE_SIGNAL = 50
_PAGE_ITEMS = 100
_LAST_PAGE_ITEMS = 7


class _EndlessThenDone:
    """New items on every page; after `finish()`, the next page is the last."""

    def __init__(self) -> None:
        self.walking = threading.Event()
        self.done = False

    def __call__(self, path: str, query: dict[str, str]) -> Answer:
        page = int(query.get("page_token", "0"))
        if self.done:
            items = [tax_item(n) for n in range(_LAST_PAGE_ITEMS)]
            return json_answer({"items": items, "next_page_token": None})
        if page >= _PAGES_BEFORE_SIGNAL:
            self.walking.set()
        items = [tax_item(page * _PAGE_ITEMS + n) for n in range(_PAGE_ITEMS)]
        return json_answer({"items": items, "next_page_token": str(page + 1)})


def _stop_mid_walk(workdir: Path, url: str, agency: _EndlessThenDone) -> str:
    database_url = f"sqlite:///{workdir / 'hub.sqlite3'}"
    child = subprocess.Popen(
        [sys.executable, "-c", _RUN, database_url, str(workdir / "landing"), url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not agency.walking.wait(timeout=300):
            return "the run never reached the walk"
        signalled = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=120)
        return f"stopped {time.monotonic() - signalled:.1f} s after SIGTERM"
    except subprocess.TimeoutExpired:
        return "did NOT stop within 120 s of SIGTERM"
    finally:
        if child.poll() is None:
            child.kill()


def tax_sigterm_mid_walk(workdir: Path) -> FaultOutcome:
    hub, agency = registered_hub(workdir), _EndlessThenDone()
    with serve_agency(agency) as url:
        stopped = _stop_mid_walk(workdir, url, agency)
        with hub.session() as session:
            saved = session.scalar(select(SourceCursor.value).where(SourceCursor.source == "tax"))
        agency.done = True
        land_tax(hub, TaxAgency(base_url=url, token="t"), None)
    stage_pending(hub, "tax")
    load_pending(hub, "tax")
    with hub.session() as session:
        first, last = session.scalars(select(Delivery).order_by(Delivery.id)).all()[-2:]
        note = (
            f"{stopped}; its delivery {first.status}, cursor saved: {saved}; "
            f"the next run {last.status} from cursor {last.cursor_from}"
        )
        counts = (last.delivered, last.accepted, last.rejected)
    return FaultOutcome(_LAST_PAGE_ITEMS, counts[1], counts[2], note)


CASES: list[FaultCase] = [FaultCase("tax_sigterm_mid_walk", 11, "tax", tax_sigterm_mid_walk)]
