"""GET /bank/api/v2/loans: offset pages of loans and subsidies, API key (contracts/SOURCES.md)."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from sandbox.serve.catalogue import BankCatalogue
from sandbox.serve.responses import BadParameterError, error, int_param, json_bytes
from sandbox.serve.settings import AgencySettings

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class BankEndpoint:
    def __init__(self, catalogue: BankCatalogue, settings: AgencySettings) -> None:
        self.catalogue = catalogue
        self._api_key = settings.bank_api_key

    async def handle(self, request: Request) -> Response:
        if request.headers.get("x-api-key") != self._api_key:
            return error(403, "Missing or invalid X-Api-Key.")
        params = request.query_params
        try:
            offset = int_param(params.get("offset"), "offset", 0, 0, None)
            limit = int_param(params.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
            issued_from = _date_param(params.get("issued_from"))
        except BadParameterError as err:
            return error(400, str(err))
        view = self.catalogue.view(issued_from)
        head = f'{{"total":{len(view)},"offset":{offset},"limit":{limit},"data":['.encode()
        return json_bytes(head + b",".join(view[offset : offset + limit]) + b"]}")


def _date_param(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise BadParameterError(
            f"Parameter issued_from={value!r} is not a YYYY-MM-DD date."
        ) from err
