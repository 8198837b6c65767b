"""GET /tax/v1/taxpayers: cursor pages of taxpayers, bearer token (contracts/SOURCES.md).

`updated_since` keeps items whose updated_at is at or after it, so an incremental load that
passes the largest updated_at it has seen gets that boundary item again rather than missing
others with the same timestamp.

Only items whose updated_at has come by the agency's clock are served. A world dated near
today (the demo's: the year before) has taxpayers revised into the next months; the agency
cannot have made those revisions yet, so they appear as the clock reaches them, like any
new revision, and an incremental load picks them up then.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sandbox.serve.catalogue import TaxCatalogue, epoch_seconds
from sandbox.serve.page_tokens import Cursor, PageTokenCodec, PageTokenError
from sandbox.serve.responses import BadParameterError, error, int_param, json_bytes
from sandbox.serve.settings import AgencySettings

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class TaxEndpoint:
    def __init__(self, catalogue: TaxCatalogue, settings: AgencySettings) -> None:
        self.catalogue = catalogue
        self._expected_auth = f"Bearer {settings.tax_token}"
        self._tokens = PageTokenCodec(
            settings.token_secret, settings.page_token_ttl_seconds, settings.clock
        )
        self._clock = settings.clock

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != self._expected_auth:
            return error(401, "Missing or invalid bearer token.")
        try:
            start, page_size = self._position(request)
        except (BadParameterError, PageTokenError) as err:
            return error(400, str(err))
        catalogue = self.catalogue
        served = catalogue.updated_by(self._clock())
        end = max(start, min(start + page_size, served))
        next_token = b"null"
        if end < served:
            updated_at, tin = catalogue.keys[end - 1]
            next_token = b'"' + self._tokens.encode(Cursor(updated_at, tin)).encode() + b'"'
        body = b'{"items":[' + b",".join(catalogue.items[start:end]) + b'],"next_page_token":'
        return json_bytes(body + next_token + b"}")

    def _position(self, request: Request) -> tuple[int, int]:
        params = request.query_params
        page_size = int_param(
            params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE
        )
        token = params.get("page_token")
        if token:
            cursor = self._tokens.decode(token)
            return self.catalogue.start_after((cursor.updated_at, cursor.tin)), page_size
        since = params.get("updated_since")
        if not since:
            return 0, page_size
        # An unencoded '+' in the offset arrives as a space.
        text = since.replace(" ", "+")
        try:
            return self.catalogue.start_at(epoch_seconds(text)), page_size
        except ValueError as err:
            raise BadParameterError(
                f"Parameter updated_since={since!r} is not an ISO 8601 datetime."
            ) from err
