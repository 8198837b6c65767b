"""One bad API item is a quarantined row; it never holds back its delivery or the next
(issue 14.7)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pytest
from dagster import AssetKey, DagsterInstance, materialize
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.graph.models import Delivery, Reject, TaxRegistration
from pipelines.assets import SOURCE_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.resources import HubDatabase, TaxAgency
from sandbox.serve.in_thread import serve_in_thread

TOKEN = "test-token"


def tax_item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "tin": f"4{n:08d}",
        "pinfl": None,
        "full_name": f"KARIMOV JASUR {n}",
        "birth_date": "1985-03-15",
        "regime": "self_employed",
        "activity_code": "47190",
        "registered_on": "2022-05-01",
        "closed_on": None,
        "declared_income_uzs": "12500000.00",
        "tax_year": 2022,
        "mahalla_code": None,
        "address": None,
        "updated_at": f"2022-12-0{1 + n // 100}T10:{n % 60:02d}:00+05:00",
    } | changes


class TaxApi:
    """A tax API handing out one page: the items of the current delivery changed since."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    async def taxpayers(self, request: Request) -> JSONResponse:
        since = request.query_params.get("updated_since")
        items = [
            i
            for i in self.items
            if since is None
            or datetime.fromisoformat(i["updated_at"]) >= datetime.fromisoformat(since)
        ]
        return JSONResponse({"items": items, "next_page_token": None})


@pytest.fixture
def tax_api() -> Iterator[tuple[TaxApi, str]]:
    api = TaxApi()
    app = Starlette(routes=[Route("/v1/taxpayers", api.taxpayers)])
    with serve_in_thread(app) as url:
        yield api, url


def _of_tax(keys: Iterable[AssetKey]) -> bool:
    return any(key.path[-1].endswith("_tax") for key in keys)


def _run(hub: HubDatabase, url: str) -> Any:
    tax_assets = [a for a in SOURCE_ASSETS if _of_tax(a.keys)]
    checks = [c for c in QUALITY_CHECKS if _of_tax(k.asset_key for k in c.check_keys)]
    agency = TaxAgency(base_url=url, token=TOKEN, max_attempts=1, base_delay_seconds=0.01)
    return materialize(
        [*tax_assets, *checks],
        resources={"hub_db": hub, "tax_agency": agency},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_a_bad_api_item_is_quarantined_and_neither_its_delivery_nor_the_next_is_stuck(
    graph_db, tax_api, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    api, url = tax_api
    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(tmp_path / "landing"))
    bad = tax_item(5, tax_year=2**63)
    api.items = [*(tax_item(n) for n in range(1, 5)), bad]
    first = _run(hub, url)
    assert first.success
    checks = {e.check_name: e.passed for e in first.get_asset_check_evaluations()}
    assert checks["tax_structure"] and checks["no_held_delivery"]

    api.items = [tax_item(n) for n in range(101, 104)]  # the next delivery
    assert _run(hub, url).success
    with graph_db.session() as session:
        statuses = session.scalars(
            select(Delivery.status).where(Delivery.source == "tax").order_by(Delivery.id)
        ).all()
        assert statuses == ["loaded", "loaded"]
        assert session.scalar(select(func.count()).select_from(TaxRegistration)) == 7
        (reject,) = session.scalars(select(Reject).where(Reject.source == "tax")).all()
        assert reject.record_key == bad["tin"] and reject.status == "open"
        assert any("tax_year" in reason for reason in reject.reasons)
        first_delivery = session.scalars(
            select(Delivery).where(Delivery.source == "tax").order_by(Delivery.id)
        ).first()
        assert first_delivery is not None
        assert (first_delivery.delivered, first_delivery.accepted, first_delivery.rejected) == (
            5,
            4,
            1,
        )
