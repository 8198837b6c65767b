"""Limits on the document itself, before and while it is parsed and validated.

- size: a document longer than `max_document_bytes` is refused before the parser sees it
  (DOCUMENT_TOO_LARGE); the view refuses a larger HTTP body before reading it as JSON;
- tokens and comments: graphql-core's parser stops at `max_tokens` (DOCUMENT_TOO_LARGE);
- depth and aliases: strawberry's validators (`QueryDepthLimiter`, `MaxAliasesLimiter`,
  both following fragments and stopping at cycles), their errors coded
  DEPTH_LIMIT_EXCEEDED and ALIAS_LIMIT_EXCEEDED;
- cyclic fragments: graphql-core's own `NoFragmentCycles` rule (GRAPHQL_VALIDATION_FAILED).

`DocumentGuard` also replaces strawberry's parser and validation caches with one cache
bounded by bytes (`hub.api.limits.document_cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import cache
from typing import Any, cast

from graphql import ASTValidationRule, GraphQLError, ValidationContext, ValidationRule, parse
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.schema import validate_document

from hub.api.limits.document_cache import CachedDocument, DocumentCache, estimated_bytes
from hub.api.limits.errors import DocumentTooLargeError
from hub.api.limits.settings import DEFAULT_LIMITS, LimitSettings

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


class DocumentGuard(SchemaExtension):
    """Parse and validate within the limits, through the byte-bounded cache.

    The limits come from the request's `Context.limits` (the view's settings), else the
    defaults (an operation executed in-process)."""

    def __init__(
        self, cache: DocumentCache, settings_of: Callable[[Any], LimitSettings | None]
    ) -> None:
        self._cache = cache
        self._settings_of = settings_of
        self._entry: CachedDocument | None = None

    def _settings(self) -> LimitSettings:
        return self._settings_of(self.execution_context.context) or DEFAULT_LIMITS

    def on_operation(self) -> Iterator[None]:
        settings = self._settings()
        context = self.execution_context
        context.validation_rules = (
            *context.validation_rules,
            *limit_rules(settings.max_depth, settings.max_aliases),
        )
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query
        if context.graphql_document is None and text:
            settings = self._settings()
            key = (text, settings.document_key)
            entry = self._cache.get(key)
            if entry is None:
                document = parse_limited(text, settings)
                entry = CachedDocument(document, estimated_bytes(text))
                self._cache.put(key, entry)
            self._entry = entry
            context.graphql_document = entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if entry is not None and context.graphql_document is entry.document:
            rules = context.validation_rules
            validated = entry.validated
            if validated is None or validated[0] != rules:
                errors = validate_document(context.schema._schema, entry.document, rules)
                validated = entry.validated = (rules, errors)
            context.pre_execution_errors = list(validated[1])
        yield
