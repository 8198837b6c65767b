"""Fake HTTP agencies: the tax and bank APIs of contracts/SOURCES.md over a generated world.

One app serves both under two base paths; point the hub at them with
HUB_TAX_API_URL=http://HOST:PORT/tax and HUB_BANK_API_URL=http://HOST:PORT/bank.
"""

from sandbox.serve.app import create_agency_app
from sandbox.serve.faults import ConnectionDroppedError
from sandbox.serve.in_thread import serve_in_thread
from sandbox.serve.settings import (
    DEFAULT_BANK_API_KEY,
    DEFAULT_TAX_TOKEN,
    AgencySettings,
    FaultSettings,
)

__all__ = [
    "DEFAULT_BANK_API_KEY",
    "DEFAULT_TAX_TOKEN",
    "AgencySettings",
    "ConnectionDroppedError",
    "FaultSettings",
    "create_agency_app",
    "serve_in_thread",
]
