"""Parsed and validated documents kept by their text, bounded by bytes as well as entries.

strawberry's `ParserCache` and `ValidationCache` bound only the number of entries: forty
different 5 MB documents left +394 MB in them (issue 16). Here an entry's weight is an
estimate of the memory its syntax tree and validation errors hold, `ENTRY_BYTES +
AST_BYTES_PER_SOURCE_BYTE x len(text)` (measured with tracemalloc on the benchmark's
documents, the introspection query and a 200-alias document: 60-195 bytes of tree per
byte of text, the most for the smallest documents; a test checks the estimate stays above
the measure), and the least recently used entries go once the total passes the budget. A
document heavier than the whole budget is not kept at all.

One entry holds both the tree and its validation errors: an error refers to the tree's
nodes, so two caches bounded apart would keep a tree alive twice. Requests run on worker
threads (SQLite), hence the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from graphql import ASTValidationRule, DocumentNode, GraphQLError

ENTRY_BYTES = 8_192
AST_BYTES_PER_SOURCE_BYTE = 160


def estimated_bytes(text: str) -> int:
    """The memory a parsed and validated document of `text` is estimated to hold."""
    return ENTRY_BYTES + AST_BYTES_PER_SOURCE_BYTE * len(text)


@dataclass(slots=True)
class CachedDocument:
    document: DocumentNode
    weight: int
    # The validation rules and the errors they found; None until validated. One tuple,
    # replaced whole, so a thread never reads one request's rules with another's errors.
    validated: tuple[tuple[type[ASTValidationRule], ...], list[GraphQLError]] | None = None


class DocumentCache:
    """An LRU map of documents whose estimated bytes stay within `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, CachedDocument] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> CachedDocument | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: CachedDocument) -> None:
        if entry.weight > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.weight
            self._entries[key] = entry
            self._bytes += entry.weight
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.weight
