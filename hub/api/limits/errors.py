"""The limits' errors, arranged by what the caller does about them.

```
ApiError (hub.api.errors)
├── BadUserInputError           BAD_USER_INPUT: a page, list, string or variable too large
└── LimitError                  change the request: it is too big for this API
    ├── DocumentTooLargeError   DOCUMENT_TOO_LARGE: bytes or tokens, before parsing ends
    ├── CostLimitExceededError  COST_LIMIT_EXCEEDED: computed cost above the role's ceiling
    ├── FieldLimitExceededError FIELD_LIMIT_EXCEEDED: too many fields once fragments expand
    ├── IntrospectionDisabledError INTROSPECTION_DISABLED: not for this role
    ├── ResponseTooLargeError   RESPONSE_TOO_LARGE: select less or page smaller
    ├── StatementTimeoutError   STATEMENT_TIMEOUT: a statement ran past PostgreSQL's timeout
    └── RetryLaterError         try again after `retryAfter` seconds (Retry-After header)
        ├── RateLimitedError    RATE_LIMITED (HTTP 429): the key spent its cost per minute
        └── ServerBusyError     SERVER_BUSY (HTTP 503): the process's cost budget is full
```

Depth and alias limits are validation errors with codes DEPTH_LIMIT_EXCEEDED and
ALIAS_LIMIT_EXCEEDED (`hub.api.limits.document`).
"""

from __future__ import annotations

import math

from psycopg.errors import QueryCanceled
from sqlalchemy.exc import DBAPIError

from hub.api.errors import ApiError


class LimitError(ApiError):
    code = "LIMIT_EXCEEDED"


class DocumentTooLargeError(LimitError):
    code = "DOCUMENT_TOO_LARGE"


class CostLimitExceededError(LimitError):
    code = "COST_LIMIT_EXCEEDED"


class FieldLimitExceededError(LimitError):
    code = "FIELD_LIMIT_EXCEEDED"


class IntrospectionDisabledError(LimitError):
    code = "INTROSPECTION_DISABLED"


class ResponseTooLargeError(LimitError):
    code = "RESPONSE_TOO_LARGE"


class StatementTimeoutError(LimitError):
    code = "STATEMENT_TIMEOUT"


def statement_timeout(error: BaseException | None) -> StatementTimeoutError | None:
    """The error to show when `error` is PostgreSQL cancelling a statement at its
    `statement_timeout` (else None): a limit the query met, not a defect to mask."""
    if isinstance(error, DBAPIError) and isinstance(error.orig, QueryCanceled):
        return StatementTimeoutError(
            "A statement of this query ran past the API's statement timeout. Ask for smaller "
            "pages or fewer fields."
        )
    return None


class RetryLaterError(LimitError):
    """Refused for now; `retry_after` (whole seconds, at least 1) says when to come back."""

    http_status = 503

    def __init__(self, message: str, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(message, retryAfter=self.retry_after)


class RateLimitedError(RetryLaterError):
    code = "RATE_LIMITED"
    http_status = 429


class ServerBusyError(RetryLaterError):
    code = "SERVER_BUSY"
    http_status = 503


# The HTTP status a response gets when one of its errors has this code.
HTTP_STATUS = {RateLimitedError.code: 429, ServerBusyError.code: 503}
