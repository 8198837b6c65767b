"""What a client sees of an error, and what the log keeps.

Every error in a response carries `extensions.code`:

| code | when |
|---|---|
| GRAPHQL_PARSE_FAILED | the query is not GraphQL |
| GRAPHQL_VALIDATION_FAILED | the query does not fit the schema (unknown field, bad literal) |
| BAD_USER_INPUT | a variable or argument is malformed or out of range (`BadUserInputError`) |
| NOT_FOUND | a lookup by key found nothing (`NotFoundError`) |
| (limits) | a limit refused the request or stopped it: codes in `hub.api.limits.errors` |
| INTERNAL_SERVER_ERROR | anything unexpected: the message is replaced by "Unexpected error." |

Unexpected errors are masked so no stack trace, SQL or internal message reaches a client;
the schema logs them in full, with their traceback, before masking them (`HubSchema`
classifies every result's errors with `classified`).
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.relay.types import GlobalIDValueError

from hub.api.errors import ApiError
from hub.api.limits.errors import statement_timeout

logger = logging.getLogger("hub.api")

MASKED_MESSAGE = "Unexpected error."
INTERNAL = "INTERNAL_SERVER_ERROR"


def is_unexpected(error: GraphQLError) -> bool:
    """Whether `error` comes from a defect or outage rather than from the request."""
    original = error.original_error
    if isinstance(original, ApiError | GlobalIDValueError):
        return False
    if error.path is None:
        # Raised by graphql-core while parsing, validating or coercing variables, before
        # any resolver ran: its message describes the request, not the server.
        return original is not None and not _is_request_message(error.message)
    return original is not None


def _is_request_message(message: str) -> bool:
    return message.startswith(("Syntax Error", "Variable '$", "Expected value of type"))


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, ApiError):
        return original.code
    if isinstance(original, GlobalIDValueError) or error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    if is_unexpected(error):
        return INTERNAL
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED"


def classified(error: GraphQLError) -> GraphQLError:
    """`error` with `extensions.code` set, masked when unexpected."""
    timeout = statement_timeout(error.original_error)
    if timeout is not None:
        error = GraphQLError(
            timeout.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=timeout,
        )
    if is_unexpected(error):
        return GraphQLError(
            MASKED_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": INTERNAL},
        )
    extensions = dict(error.extensions or {})
    original = error.original_error
    message = error.message
    if isinstance(original, ApiError):
        extensions.update(original.extensions)
    elif isinstance(original, GlobalIDValueError):
        message = f"Not a global id issued by this API: {original}"
    extensions.setdefault("code", error_code(error))
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def log_errors(errors: list[GraphQLError]) -> None:
    """Log unexpected errors with their traceback; request errors briefly."""
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            logger.error(
                "Unexpected error at %s: %r",
                error.path,
                original,
                exc_info=(type(original), original, original.__traceback__)
                if original is not None
                else None,
            )
        else:
            logger.info("Request error (%s) at %s: %s", error_code(error), error.path, error)
