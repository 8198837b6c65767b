"""create_agency_app: one ASGI app serving the tax and bank APIs of a world folder.

Routes: GET /tax/v1/taxpayers, GET /bank/api/v2/loans, GET /health. The world's API data is
loaded once, here, so serving is slicing lists of ready-made JSON.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.serve.bank_api import BankEndpoint
from sandbox.serve.catalogue import BankCatalogue, TaxCatalogue
from sandbox.serve.faults import FaultMiddleware
from sandbox.serve.settings import BANK_BASE_PATH, TAX_BASE_PATH, AgencySettings
from sandbox.serve.tax_api import TaxEndpoint


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_agency_app(world_dir: Path, settings: AgencySettings | None = None) -> FaultMiddleware:
    """The ASGI app of both fake agencies over `world_dir` (a folder from generate_world).

    Raises FileNotFoundError if the world has no api/tax or api/bank data. The returned
    middleware exposes `.injected` (faults injected so far per source and kind).
    """
    settings = settings or AgencySettings()
    tax = TaxEndpoint(TaxCatalogue.load(world_dir), settings)
    bank = BankEndpoint(BankCatalogue.load(world_dir), settings)
    app = Starlette(
        routes=[
            Route(f"{TAX_BASE_PATH}/v1/taxpayers", tax.handle, methods=["GET"]),
            Route(f"{BANK_BASE_PATH}/api/v2/loans", bank.handle, methods=["GET"]),
            Route("/health", _health, methods=["GET"]),
        ]
    )
    return FaultMiddleware(app, settings.faults)
