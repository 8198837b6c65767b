"""Limits on the document itself, before and while it is parsed and validated.

- size: a document longer than `max_document_bytes` is refused before the parser sees it
  (DOCUMENT_TOO_LARGE); the view refuses a larger HTTP body before reading it as JSON;
- tokens and comments: graphql-core's parser stops at `max_tokens` (DOCUMENT_TOO_LARGE);
- depth and aliases: strawberry's validators (`QueryDepthLimiter`, `MaxAliasesLimiter`,
  both following fragments and stopping at cycles), their errors coded
  DEPTH_LIMIT_EXCEEDED and ALIAS_LIMIT_EXCEEDED;
- cyclic fragments: graphql-core's own `NoFragmentCycles` rule (GRAPHQL_VALIDATION_FAILED).

`parse_through` and `validate_through` replace strawberry's parser and validation caches
with one cache bounded by bytes (`hub.api.limits.document_cache`); the schema's
`hub.api.limits.guard.LimitsGuard` calls them.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from typing import Any, cast

from graphql import ASTValidationRule, GraphQLError, ValidationContext, ValidationRule, parse
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from hub.api.limits.document_cache import CachedDocument, DocumentCache, estimated_bytes
from hub.api.limits.errors import DocumentTooLargeError
from hub.api.limits.settings import LimitSettings

DEPTH_CODE = "DEPTH_LIMIT_EXCEEDED"
ALIAS_CODE = "ALIAS_LIMIT_EXCEEDED"


class _CodedContext:
    """A validation context whose reported errors carry `extensions.code`."""

    def __init__(self, context: ValidationContext, code: str) -> None:
        self._context = context
        self._code = code
        self.document = context.document

    def report_error(self, error: GraphQLError) -> None:
        self._context.report_error(
            GraphQLError(error.message, error.nodes, extensions={"code": self._code})
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _coded(rule: type[ASTValidationRule], code: str) -> type[ASTValidationRule]:
    class CodedRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            # KeyError: a spread of a fragment the document lacks, which the depth walk
            # looks up unguarded; graphql-core's KnownFragmentNames reports it properly.
            with suppress(KeyError):
                rule(cast("ValidationContext", _CodedContext(context, code)))

    CodedRule.__name__ = f"Coded{rule.__name__}"
    return CodedRule


@cache
def limit_rules(max_depth: int, max_aliases: int) -> tuple[type[ASTValidationRule], ...]:
    """The depth and alias rules, made once per limit: the validation cache is keyed by
    the rule classes."""
    return (
        _coded(depth_validator(max_depth, None), DEPTH_CODE),
        _coded(alias_validator(max_aliases), ALIAS_CODE),
    )


def text_bytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def parse_limited(text: str, settings: LimitSettings) -> Any:
    """`text` parsed; DocumentTooLargeError before parsing when it has too many bytes,
    and when the parser meets too many tokens or comments."""
    size = text_bytes(text)
    if size > settings.max_document_bytes:
        raise DocumentTooLargeError(
            f"The document has {size} bytes. At most {settings.max_document_bytes}.",
            maxBytes=settings.max_document_bytes,
        )
    try:
        return parse(text, max_lexical_tokens=settings.max_tokens, max_comments=settings.max_tokens)
    except GraphQLError as error:
        if not error.message.endswith("Parsing aborted."):
            raise
        raise DocumentTooLargeError(
            f"The document has more than {settings.max_tokens} tokens (or comments).",
            maxTokens=settings.max_tokens,
        ) from None


def add_limit_rules(context: ExecutionContext, settings: LimitSettings) -> None:
    """Add the depth and alias rules to the operation's validation rules."""
    context.validation_rules = (
        *context.validation_rules,
        *limit_rules(settings.max_depth, settings.max_aliases),
    )


def parse_through(
    cache: DocumentCache, context: ExecutionContext, settings: LimitSettings
) -> CachedDocument | None:
    """Set the operation's document from `cache`, parsing (within the limits) and keeping
    it when missing; the cache's entry, None when there is no text to parse."""
    text = context.query
    if context.graphql_document is not None or not text:
        return None
    key = (text, settings.document_key)
    entry = cache.get(key)
    if entry is None:
        entry = CachedDocument(parse_limited(text, settings), estimated_bytes(text))
        cache.put(key, entry)
    context.graphql_document = entry.document
    return entry


def validate_through(entry: CachedDocument | None, context: ExecutionContext) -> None:
    """Set the operation's validation errors from `entry`, validating once per set of
    rules (strawberry validates only when no errors are set)."""
    if entry is None or context.graphql_document is not entry.document:
        return
    rules = context.validation_rules
    validated = entry.validated
    if validated is None or validated[0] != rules:
        errors = validate_document(context.schema._schema, entry.document, rules)
        validated = entry.validated = (rules, errors)
    context.pre_execution_errors = list(validated[1])
