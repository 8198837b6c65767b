"""Settings of the fake agencies: credentials, page-token lifetime, injected faults."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_TAX_TOKEN = "sandbox-tax-token"
DEFAULT_BANK_API_KEY = "sandbox-bank-key"
TAX_BASE_PATH = "/tax"
BANK_BASE_PATH = "/bank"
AgencySource = Literal["tax", "bank"]
FAULT_KINDS = ("rate_limited", "server_error", "dropped", "malformed", "slow")


@dataclass(frozen=True)
class FaultSettings:
    """Probability per request of each injected fault, drawn from a seeded stream per source.

    The same seed and the same sequence of requests give the same faults. A source listed in
    `down` answers every request with 503.
    """

    rate_limited: float = 0.0
    """429 with a Retry-After header."""
    server_error: float = 0.0
    """500 or 503."""
    dropped: float = 0.0
    """The connection closes in the middle of the response."""
    malformed: float = 0.0
    """200 with a body that is not valid JSON."""
    slow: float = 0.0
    """The normal answer, after `slow_seconds`."""
    slow_seconds: float = 2.0
    retry_after_seconds: int = 1
    seed: int = 0
    down: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        rates = [getattr(self, kind) for kind in FAULT_KINDS]
        if any(not 0.0 <= rate <= 1.0 for rate in rates) or sum(rates) > 1.0:
            raise ValueError(
                f"Fault rates {dict(zip(FAULT_KINDS, rates, strict=True))} must each be in "
                "[0, 1] and sum to at most 1."
            )
        unknown = set(self.down) - {"tax", "bank"}
        if unknown:
            raise ValueError(f"Down sources {sorted(unknown)} are unknown; use 'tax' or 'bank'.")

    @classmethod
    def uniform(
        cls,
        rate: float,
        *,
        seed: int = 0,
        slow_seconds: float = 2.0,
        down: frozenset[str] = frozenset(),
    ) -> FaultSettings:
        """Faults at a total rate `rate`, split equally between the five kinds."""
        share = rate / len(FAULT_KINDS)
        return cls(share, share, share, share, share, slow_seconds, seed=seed, down=down)

    @property
    def total_rate(self) -> float:
        return float(sum(getattr(self, kind) for kind in FAULT_KINDS))


@dataclass(frozen=True)
class AgencySettings:
    """How the fake agencies authenticate, page and fail."""

    tax_token: str = DEFAULT_TAX_TOKEN
    bank_api_key: str = DEFAULT_BANK_API_KEY
    page_token_ttl_seconds: float = 600.0
    """A tax page token older than this is refused with 400 (the contract says 10 minutes)."""
    token_secret: bytes = b"sandbox-page-token-secret"
    """Signs page tokens so that a forged or edited token is refused."""
    faults: FaultSettings = field(default_factory=FaultSettings)
    clock: Callable[[], float] = time.time
    """Seconds since the epoch: expires page tokens, and holds back the taxpayer revisions
    dated after it (not made yet); tests pass a fake clock."""
