"""The fake tax and bank APIs: auth, pagination, filters, page-token expiry, injected faults."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from sandbox.serve import (
    AgencySettings,
    ConnectionDroppedError,
    FaultSettings,
    create_agency_app,
    serve_in_thread,
)

TAX = {"Authorization": "Bearer sandbox-tax-token"}
BANK = {"X-Api-Key": "sandbox-bank-key"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def client(world: Path) -> TestClient:
    return TestClient(create_agency_app(world))


def _file_items(world: Path, name: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in (world / "api" / name).read_text().splitlines()]


def _all_tax_pages(client: TestClient, **params: str) -> list[dict]:  # type: ignore[type-arg]
    items, token = [], None
    while True:
        query = dict(params, page_size="97", **({"page_token": token} if token else {}))
        response = client.get("/tax/v1/taxpayers", params=query, headers=TAX)
        assert response.status_code == 200
        body = response.json()
        items += body["items"]
        token = body["next_page_token"]
        if token is None:
            return items


def test_tax_refuses_a_missing_or_wrong_token(client: TestClient) -> None:
    assert client.get("/tax/v1/taxpayers").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/tax/v1/taxpayers", headers=bad).status_code == 401


def test_bank_refuses_a_missing_or_wrong_key(client: TestClient) -> None:
    assert client.get("/bank/api/v2/loans").status_code == 403
    assert client.get("/bank/api/v2/loans", headers={"X-Api-Key": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("path", "headers", "params"),
    [
        ("/tax/v1/taxpayers", TAX, {"page_size": "0"}),
        ("/tax/v1/taxpayers", TAX, {"page_size": "1001"}),
        ("/tax/v1/taxpayers", TAX, {"page_size": "ten"}),
        ("/tax/v1/taxpayers", TAX, {"updated_since": "yesterday"}),
        ("/tax/v1/taxpayers", TAX, {"page_token": "forged"}),
        ("/bank/api/v2/loans", BANK, {"limit": "501"}),
        ("/bank/api/v2/loans", BANK, {"offset": "-1"}),
        ("/bank/api/v2/loans", BANK, {"issued_from": "01.02.2022"}),
    ],
)
def test_bad_parameters_get_400(
    client: TestClient, path: str, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]


def test_tax_pages_cover_every_item_once_in_updated_at_then_tin_order(
    client: TestClient, world: Path
) -> None:
    served = _all_tax_pages(client)
    expected = _file_items(world, "tax/taxpayers.jsonl")
    assert sorted(map(json.dumps, served)) == sorted(map(json.dumps, expected))
    keys = [(datetime.fromisoformat(i["updated_at"]), i.get("tin", "")) for i in served]
    assert keys == sorted(keys)


def test_tax_updated_since_keeps_items_at_or_after_it(client: TestClient, world: Path) -> None:
    since = "2022-07-01T00:00:00+05:00"
    served = _all_tax_pages(client, updated_since=since)
    bound = datetime.fromisoformat(since)
    expected = [i for i in _file_items(world, "tax/taxpayers.jsonl")
                if datetime.fromisoformat(i["updated_at"]) >= bound]  # fmt: skip
    assert 0 < len(served) == len(expected)
    assert all(datetime.fromisoformat(i["updated_at"]) >= bound for i in served)


def test_tax_page_token_expires_after_its_lifetime(world: Path) -> None:
    clock = FakeClock()
    client = TestClient(create_agency_app(world, AgencySettings(clock=clock)))
    first = client.get("/tax/v1/taxpayers", params={"page_size": "5"}, headers=TAX).json()
    token = first["next_page_token"]
    clock.now += 599
    assert (
        client.get("/tax/v1/taxpayers", params={"page_token": token}, headers=TAX).status_code
        == 200
    )
    clock.now += 2
    expired = client.get("/tax/v1/taxpayers", params={"page_token": token}, headers=TAX)
    assert expired.status_code == 400
    assert "expired" in expired.json()["error"]
    edited = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert (
        client.get("/tax/v1/taxpayers", params={"page_token": edited}, headers=TAX).status_code
        == 400
    )


def test_tax_serves_only_the_revisions_made_by_its_clock(world: Path) -> None:
    """A world dated near today has revisions dated after it: they appear as the clock
    reaches them, and an incremental load from the cursor then gets them."""
    items = _file_items(world, "tax/taxpayers.jsonl")
    moments = sorted(datetime.fromisoformat(i["updated_at"]).timestamp() for i in items)
    clock = FakeClock()
    clock.now = moments[len(moments) // 2]
    client = TestClient(create_agency_app(world, AgencySettings(clock=clock)))

    served = _all_tax_pages(client)
    assert 0 < len(served) < len(items)
    assert len(served) == sum(1 for moment in moments if moment <= clock.now)
    assert max(datetime.fromisoformat(i["updated_at"]).timestamp() for i in served) <= clock.now

    cursor = max(i["updated_at"] for i in served)
    clock.now = moments[-1]
    later = _all_tax_pages(client, updated_since=cursor)
    assert len(later) == len(items) - len(served) + sum(
        1 for i in served if i["updated_at"] == cursor
    )


def test_bank_offset_pages_cover_every_loan_once_in_loan_id_order(
    client: TestClient, world: Path
) -> None:
    served, offset = [], 0
    while True:
        body = client.get(
            "/bank/api/v2/loans", params={"offset": str(offset), "limit": "64"}, headers=BANK
        ).json()
        served += body["data"]
        offset += body["limit"]
        if offset >= body["total"]:
            break
    expected = _file_items(world, "bank/loans.jsonl")
    assert body["total"] == len(expected) == len(served)
    ids = [item.get("loan_id", "") for item in served]
    assert ids == sorted(ids)


def test_bank_issued_from_keeps_loans_issued_on_or_after_it(
    client: TestClient, world: Path
) -> None:
    body = client.get(
        "/bank/api/v2/loans", params={"issued_from": "2022-10-01", "limit": "500"}, headers=BANK
    ).json()
    expected = [i for i in _file_items(world, "bank/loans.jsonl") if i["issued_on"] >= "2022-10-01"]
    assert 0 < body["total"] == len(expected)
    assert all(item["issued_on"] >= "2022-10-01" for item in body["data"])


def test_faults_come_at_their_configured_rates_and_repeat_with_the_seed(world: Path) -> None:
    faults = FaultSettings(rate_limited=0.2, server_error=0.1, malformed=0.1, seed=3)

    def statuses() -> list[tuple[int, str]]:
        client = TestClient(create_agency_app(world, AgencySettings(faults=faults)))
        out = []
        for _ in range(400):
            response = client.get("/bank/api/v2/loans", params={"limit": "1"}, headers=BANK)
            out.append((response.status_code, response.headers.get("retry-after", "")))
            if response.status_code == 200:
                try:
                    response.json()
                except ValueError:
                    out[-1] = (-1, "")
        return out

    first = statuses()
    assert first == statuses()
    counts = Counter(status for status, _ in first)
    assert 50 < counts[429] < 110  # 0.2 of 400
    assert 20 < counts[500] + counts[503] < 60  # 0.1
    assert 20 < counts[-1] < 60  # 0.1 malformed bodies
    assert all(retry == "1" for status, retry in first if status == 429)


def test_a_down_source_always_answers_503_and_the_other_still_works(world: Path) -> None:
    settings = AgencySettings(faults=FaultSettings(down=frozenset({"tax"})))
    client = TestClient(create_agency_app(world, settings))
    assert all(client.get("/tax/v1/taxpayers", headers=TAX).status_code == 503 for _ in range(5))
    assert client.get("/bank/api/v2/loans", headers=BANK).status_code == 200


def test_a_dropped_connection_is_a_transport_error_over_http(world: Path) -> None:
    app = create_agency_app(world, AgencySettings(faults=FaultSettings(dropped=1.0)))
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as http:
        with pytest.raises(httpx.TransportError):
            http.get("/bank/api/v2/loans", headers=BANK)
        assert http.get("/health").status_code == 200
    with pytest.raises(ConnectionDroppedError):
        TestClient(app).get("/tax/v1/taxpayers", headers=TAX)


def test_slow_responses_still_answer(world: Path) -> None:
    faults = FaultSettings(slow=1.0, slow_seconds=0.05)
    app = create_agency_app(world, AgencySettings(faults=faults))
    response = TestClient(app).get("/tax/v1/taxpayers", headers=TAX)
    assert response.status_code == 200
    assert app.injected["tax"] == {"slow": 1}


def test_fault_rates_that_sum_above_one_are_refused() -> None:
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultSettings(rate_limited=0.6, server_error=0.6)
