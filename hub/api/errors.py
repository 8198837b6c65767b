"""The errors the API reports to its callers, arranged by what the caller should do.

```
ApiError                      expected; the message is safe to show; `code` goes to
│                             `extensions.code` of the GraphQL error
├── BadUserInputError         BAD_USER_INPUT: fix the arguments (page size, cursor, id, PINFL)
├── NotFoundError             NOT_FOUND: the thing asked for by its key does not exist
├── ForbiddenError            FORBIDDEN: the caller's role or scopes do not open this field
│                             (`extensions.scopes` names the missing scopes, if any)
└── SuppressedError           SUPPRESSED: a public count too small to show (or one that would
                              reveal a small one by subtraction)
```

Anything else raised while resolving a field is unexpected: it is logged with its stack trace
and reaches the client only as "Unexpected error." with code INTERNAL_SERVER_ERROR (see
`hub.api.error_reporting`).
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """An expected failure whose message is written for the API's caller."""

    code: ClassVar[str] = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInputError(ApiError):
    """An argument is malformed or out of range; the message names it and its value."""

    code = "BAD_USER_INPUT"


class NotFoundError(ApiError):
    """No record has the key the caller asked for."""

    code = "NOT_FOUND"


class ForbiddenError(ApiError):
    """The caller may not see this field (`hub.api.access`): its role never does, or its
    key lacks the scopes `extensions.scopes` names."""

    code = "FORBIDDEN"


class SuppressedError(ApiError):
    """A count shown to the public is below the disclosure threshold, or would reveal
    one by subtraction from its total (`hub.api.access.suppression`)."""

    code = "SUPPRESSED"
