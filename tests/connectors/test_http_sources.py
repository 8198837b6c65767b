"""The tax and bank API connectors against `httpx.MockTransport`: retries, fatal answers,
pagination protocol, cursors, secrets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from connectors.bank import BankApiConnector
from connectors.errors import (
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    SourceUnavailableError,
)
from connectors.http_fetch import RetryPolicy
from connectors.outcomes import Reject
from connectors.records import TaxpayerRecord
from connectors.tax import TaxApiConnector

if TYPE_CHECKING:
    from conftest import Kit

TASHKENT = timezone(timedelta(hours=5))
Handler = Callable[[httpx.Request], httpx.Response]


def _answers(*responses: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[Any]]:
    """A transport that plays `responses` in order (the last one repeats)."""
    seen: list[httpx.Request] = []
    queue: Iterator[httpx.Response | Exception] = iter(responses)
    last: list[httpx.Response | Exception] = [responses[-1]]

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = next(queue, last[0])
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle), seen


def _page(items: list[Any], token: str | None = None) -> httpx.Response:
    return httpx.Response(200, json={"items": items, "next_page_token": token})


def _recording_policy(sleeps: list[float], attempts: int = 4) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, sleep=sleeps.append, jitter=lambda: 0.0)


def test_tax_sends_bearer_token_and_reports_largest_updated_at(kit: Kit) -> None:
    items = [kit.tax_item(1), kit.tax_item(5), kit.tax_item(3, updated_at="garbage")]
    transport, seen = _answers(_page(items))
    since = datetime(2022, 11, 1, tzinfo=TASHKENT)
    reading = kit.tax_connector(transport).read_delivery(since)
    records = list(reading)
    assert [type(x) for x in records] == [TaxpayerRecord, TaxpayerRecord, Reject]
    assert seen[0].headers["Authorization"] == "Bearer secret-token"
    assert seen[0].url.params["updated_since"] == "2022-11-01T00:00:00+05:00"
    assert reading.cursor == datetime(2022, 12, 1, 10, 5, tzinfo=TASHKENT)
    first = records[0]
    assert isinstance(first, TaxpayerRecord)
    assert first.declared_income_tiyin == 1_250_000_000


def test_a_far_future_updated_at_never_moves_the_tax_cursor(kit: Kit) -> None:
    # Staging rejects the far-future item; were it the cursor, every later walk would ask
    # for changes after 2099 and skip all the records changed in between.
    items = [
        kit.tax_item(1),
        kit.tax_item(5),
        kit.tax_item(7, updated_at="2099-01-01T00:00:00+05:00"),
    ]
    transport, _ = _answers(_page(items))
    reading = kit.tax_connector(transport).read_delivery(None)
    assert len([x for x in reading if isinstance(x, TaxpayerRecord)]) == 3
    assert reading.cursor == datetime(2022, 12, 1, 10, 5, tzinfo=TASHKENT)


def test_tax_non_numeric_income_is_a_reject_naming_the_field(kit: Kit) -> None:
    transport, _ = _answers(_page([kit.tax_item(1, declared_income_uzs="12.5 mln")]))
    [reject] = list(kit.tax_connector(transport).read_delivery())
    assert isinstance(reject, Reject)
    assert reject.reason == "declared_income_uzs '12.5 mln' is not a decimal number of soums"
    assert reject.record_key == "400000001"
    assert '"tin":"400000001"' in reject.raw


def test_tax_auth_failure_is_fatal_and_names_the_variable(kit: Kit) -> None:
    transport, seen = _answers(httpx.Response(401, json={"error": "bad token"}))
    with pytest.raises(AuthenticationError) as caught:
        list(kit.tax_connector(transport).read_delivery())
    assert str(caught.value) == ("tax: the API refused the token (401). Check HUB_TAX_API_TOKEN.")
    assert len(seen) == 1  # fatal at once, no retries


def test_bank_bad_key_is_fatal_and_names_the_variable(kit: Kit) -> None:
    transport, _ = _answers(httpx.Response(403))
    with pytest.raises(AuthenticationError, match=r"bank: .*\(403\)\. Check HUB_BANK_API_KEY\."):
        list(kit.bank_connector(transport).read_delivery())


def test_tax_honours_retry_after_on_429(kit: Kit) -> None:
    sleeps: list[float] = []
    transport, seen = _answers(
        httpx.Response(429, headers={"Retry-After": "7"}), _page([kit.tax_item(1)])
    )
    connector = kit.tax_connector(transport, retry=_recording_policy(sleeps))
    assert len(list(connector.read_delivery())) == 1
    assert sleeps == [7.0]
    assert len(seen) == 2


def test_transient_faults_back_off_exponentially_then_succeed(kit: Kit) -> None:
    sleeps: list[float] = []
    transport, _ = _answers(
        httpx.Response(503),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.Response(200, json={"total": 1, "offset": 0, "limit": 2, "data": [kit.loan_item(1)]}),
    )
    connector = kit.bank_connector(transport, retry=_recording_policy(sleeps))
    assert len(list(connector.read_delivery())) == 1
    assert sleeps == [0.25, 0.5, 1.0]  # base 0.5 * 2**n, jitter factor 0.5 at jitter()=0


def test_api_down_beyond_retries_is_retriable_and_leaves_no_cursor(kit: Kit) -> None:
    transport, seen = _answers(_page([kit.tax_item(1)], "t1"), httpx.Response(502))
    saved_cursor = datetime(2022, 11, 1, tzinfo=TASHKENT)
    reading = kit.tax_connector(transport).read_delivery(saved_cursor)
    with pytest.raises(SourceUnavailableError) as caught:
        list(reading)
    error = caught.value
    assert error.attempts == 4
    assert len(seen) == 5
    assert "page_token=t1" in error.url
    assert error.url.startswith("https://tax.example/v1/taxpayers")
    assert "HTTP 502" in str(error)
    assert not reading.stats.completed
    with pytest.raises(RuntimeError, match="must not be saved"):
        _ = reading.cursor
    assert saved_cursor == datetime(2022, 11, 1, tzinfo=TASHKENT)


def test_malformed_json_page_is_retried_then_accepted(kit: Kit) -> None:
    transport, seen = _answers(
        httpx.Response(200, content=b'{"items": [tru'), _page([kit.tax_item(1)])
    )
    assert len(list(kit.tax_connector(transport).read_delivery())) == 1
    assert len(seen) == 2


def test_malformed_json_page_beyond_retries_is_a_protocol_error(kit: Kit) -> None:
    transport, _ = _answers(httpx.Response(200, json={"rows": []}))
    with pytest.raises(ProtocolError, match="malformed page: the page has no 'items' list"):
        list(kit.tax_connector(transport).read_delivery())


def test_repeated_page_token_is_refused(kit: Kit) -> None:
    transport, _ = _answers(
        _page([kit.tax_item(1)], "A"), _page([kit.tax_item(2)], "B"), _page([kit.tax_item(3)], "A")
    )
    reading = kit.tax_connector(transport).read_delivery()
    with pytest.raises(ProtocolError, match="next_page_token 'A' that was already used"):
        list(reading)
    assert reading.stats.accepted == 3


def test_expired_page_token_400_is_fatal_with_a_clear_hint(kit: Kit) -> None:
    transport, seen = _answers(
        _page([kit.tax_item(1)], "old"), httpx.Response(400, json={"error": "page_token expired"})
    )
    with pytest.raises(ProtocolError) as caught:
        list(kit.tax_connector(transport).read_delivery())
    message = str(caught.value)
    assert "400" in message
    assert "page_token expired" in message
    assert "Page tokens expire after 10 minutes" in message
    assert len(seen) == 2


def test_bank_walks_offsets_and_reports_largest_issue_date(kit: Kit) -> None:
    items = [kit.loan_item(n) for n in range(1, 6)]
    seen: list[httpx.Request] = []
    served = kit.paged_bank_transport(items)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return served.handle_request(request)

    reading = kit.bank_connector(httpx.MockTransport(handle)).read_delivery(date(2022, 4, 1))
    loans = list(reading)
    assert len(loans) == 5
    assert [r.url.params["offset"] for r in seen] == ["0", "2", "4"]
    assert seen[0].headers["X-Api-Key"] == "secret-key"
    assert seen[0].url.params["issued_from"] == "2022-04-01"
    assert reading.cursor == date(2022, 4, 6)


def test_bank_page_that_does_not_advance_is_refused(kit: Kit) -> None:
    transport, _ = _answers(httpx.Response(200, json={"total": 9, "offset": 0, "data": []}))
    with pytest.raises(ProtocolError, match="empty but total is 9; it does not advance"):
        list(kit.bank_connector(transport).read_delivery())


def test_bank_bad_birth_date_and_amount_are_rejects(kit: Kit) -> None:
    items = [
        kit.loan_item(1, borrower={"birth_date": "31.02.1985"}),
        kit.loan_item(2, amount_tiyin="3000000000"),
    ]
    transport, _ = _answers(httpx.Response(200, json={"total": 2, "offset": 0, "data": items}))
    first, second = list(kit.bank_connector(transport).read_delivery())
    assert isinstance(first, Reject)
    assert isinstance(second, Reject)
    assert first.reason == "borrower.birth_date '31.02.1985' is not a valid dd.mm.yyyy date"
    assert second.reason == "amount_tiyin '3000000000' is not an integer"


def test_secrets_stay_out_of_reprs_and_env_is_validated(kit: Kit) -> None:
    connector = TaxApiConnector(
        environ={"HUB_TAX_API_URL": "https://tax.example/", "HUB_TAX_API_TOKEN": "s3cr3t"}
    )
    assert "s3cr3t" not in repr(connector)
    assert "s3cr3t" not in repr(vars(connector))
    assert connector.base_url == "https://tax.example"
    with pytest.raises(ConfigurationError, match="HUB_BANK_API_KEY is not set"):
        BankApiConnector(environ={"HUB_BANK_API_URL": "https://bank.example"})
    with pytest.raises(ConfigurationError, match="HUB_BANK_API_URL has value 'bank'"):
        BankApiConnector("bank", "key")
