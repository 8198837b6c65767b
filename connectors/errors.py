"""Connector errors, arranged by what the caller does with them.

The tree:

* ConnectorError                 -- any failure of a connector as a whole (never a single row)
  x FatalSourceError             -- stop; retrying the same run cannot help, a person must act
    + ConfigurationError         -- a setting is missing or wrong; fix the named env variable
    + AuthenticationError        -- the agency refused our credentials (401/403)
    + ProtocolError              -- the agency broke its own protocol (bad page, repeated
                                    page token, 400, malformed JSON beyond retries)
      + WalkBoundError           -- a walk through the pages passed one of its bounds
                                    (repeated pages, more pages than allowed, its deadline)
    + DeliveryFormatError        -- a delivered file cannot be read at all (wrong header,
                                    wrong encoding of the whole file)
  x RetriableSourceError         -- the source may work later; schedule the run again
    + SourceUnavailableError     -- the API stayed down beyond the bounded retries
    + RateLimitedError           -- the API asked for a longer wait than the run may spend;
                                    `retry_at` says when to try again

A single unreadable row is never an exception: it becomes a `Reject` (see
`connectors.outcomes`). Every error carries the source id so that an operator knows which
agency to look at; messages never contain secrets.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConnectorError",
    "DeliveryFormatError",
    "FatalSourceError",
    "ProtocolError",
    "RateLimitedError",
    "RetriableSourceError",
    "SourceUnavailableError",
    "WalkBoundError",
]


class ConnectorError(Exception):
    """Base class: `source` is the contract's source id (`tax`, `land`, ...)."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class FatalSourceError(ConnectorError):
    """Retrying will not help; the run fails and a person must fix the named cause."""


class ConfigurationError(FatalSourceError):
    """A setting is missing or invalid; `variable` names the environment variable to fix."""

    def __init__(self, source: str, message: str, variable: str | None = None) -> None:
        super().__init__(source, message)
        self.variable = variable


class AuthenticationError(FatalSourceError):
    """The agency refused the credentials; `variable` names the secret to check."""

    def __init__(self, source: str, message: str, variable: str) -> None:
        super().__init__(source, message)
        self.variable = variable


class ProtocolError(FatalSourceError):
    """The agency's answer breaks the contract in a way that makes the delivery unusable."""


class WalkBoundError(ProtocolError):
    """A walk through an API's pages stopped at a bound; `variable` names the setting that
    bounds it, if one does (None: the walk repeated itself, which no setting allows)."""

    def __init__(self, source: str, message: str, variable: str | None = None) -> None:
        super().__init__(source, message)
        self.variable = variable


class DeliveryFormatError(FatalSourceError):
    """A whole delivered file cannot be read (header or encoding); no row of it is loaded."""

    def __init__(self, source: str, message: str, delivery: str) -> None:
        super().__init__(source, message)
        self.delivery = delivery


class RetriableSourceError(ConnectorError):
    """The source may answer later; the caller schedules the run again, cursor unchanged."""


class SourceUnavailableError(RetriableSourceError):
    """The API failed transiently on every one of `attempts` tries at `url`."""

    def __init__(self, source: str, message: str, url: str, attempts: int) -> None:
        super().__init__(source, message)
        self.url = url
        self.attempts = attempts


class RateLimitedError(RetriableSourceError):
    """The API asked us to wait longer than this run may; try again after `retry_at` (UTC)."""

    def __init__(self, source: str, message: str, retry_at: datetime) -> None:
        super().__init__(source, message)
        self.retry_at = retry_at
