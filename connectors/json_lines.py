"""The base of JSON Lines sources (survey, appeals): one JSON object per line, UTF-8.

A byte-order mark opening the file is dropped (`connectors.byte_order`). A line that is
not valid UTF-8, not valid JSON, or not an object is a reject; a final line
without its newline that fails to parse is reported as a truncated file; a line longer than
`limits.max_line_bytes` is a reject read in bounded pieces, never held whole
(`connectors.bounded_lines`), with its record key if its beginning names one. Blank lines
are skipped. Files are listed by name; later files win for the same key.

A subclass may add a `TypedLines` fast path: a line is first decoded straight into typed
structs (msgspec, in C) and turned into its record; a line the fast path cannot take (any
decoding or validation failure, or its `build` answering None) is read again by the general
path (orjson, then the subclass's `build`), which alone writes reject reasons. The fast path
must accept only lines the general path accepts, and yield the same record for them.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Generic

import msgspec
import orjson

from connectors.bounded_lines import OverlongLine, finish_overlong, is_overlong, lines
from connectors.byte_order import without_bom
from connectors.fields import FieldError
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery, R
from connectors.outcomes import DeliveryStats, Reject
from connectors.raw_text import capped_raw
from connectors.record_init import slot_builder
from connectors.records import Origin
from connectors.text_lines import TextLine, text_line

# One origin per line: made by plain slot stores (the same Origin as `Origin(name, number)`).
_new_origin: Callable[[str, int, str | None], Origin] = slot_builder(Origin)


def _json_problem(line: TextLine, exc: orjson.JSONDecodeError) -> FieldError:
    try:
        line.data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return FieldError(
            f"line {line.number} is not valid UTF-8 (byte 0x{line.data[bad.start]:02x} at "
            f"position {bad.start}); the file may be in another encoding such as Windows-1251",
            "encoding",
        )
    cut = "" if line.terminated else "; the last line has no newline, the file appears truncated"
    return FieldError(f"line {line.number} is not valid JSON ({exc}){cut}", "json")


@dataclass(frozen=True, slots=True)
class TypedLines(Generic[R]):
    """A fast path: `decode` raises `msgspec.MsgspecError` (or `UnicodeDecodeError`, which
    msgspec raises for bytes that are not UTF-8) for any line it does not take;
    `build` turns what it decoded into a record, or None to leave the line to the general
    path."""

    decode: Callable[[bytes], Any]
    build: Callable[[Any, Origin], R | None]


class JsonLinesConnector(FileConnector[R]):
    """Subclasses name their files (`prefix`) and turn one JSON object into one record."""

    prefix: ClassVar[str]
    key_field: ClassVar[str]
    typed_lines: ClassVar[TypedLines[Any] | None] = None

    def is_delivery_name(self, name: str) -> bool:
        return name.startswith(self.prefix) and name.endswith(".jsonl")

    @abstractmethod
    def build(self, item: dict[str, Any], origin: Origin) -> R:
        """The record of one decoded line; raises `FieldError` for a broken rule."""

    def parse(self, delivery: FileDelivery, stats: DeliveryStats) -> Iterator[R | Reject]:
        empty = True
        name, build, loads, typed = delivery.name, self.build, orjson.loads, self.typed_lines
        new_origin, max_bytes = _new_origin, self.limits.max_line_bytes
        with delivery.path.open("rb") as binary:
            for number, raw in enumerate(lines(binary, max_bytes), start=1):
                if len(raw) > max_bytes and is_overlong(raw, max_bytes):
                    empty = False
                    overlong = finish_overlong(binary, raw, self.limits.raw_chars)
                    yield self._overlong_reject(name, number, overlong)
                    continue
                if number == 1:
                    raw = without_bom(raw)
                if typed is not None:
                    try:
                        fast = typed.build(typed.decode(raw), new_origin(name, number, None))
                    except (msgspec.MsgspecError, UnicodeDecodeError):
                        fast = None
                    if fast is not None:
                        empty = False
                        yield fast
                        continue
                # The good path first: JSON allows the line's own CR/LF around the value, and
                # blank lines fail to parse, so they cost nothing on the good path.
                try:
                    item = loads(raw)
                except orjson.JSONDecodeError as exc:
                    line = text_line(number, raw)
                    if line is not None:
                        empty = False
                        yield self._reject(name, line, None, _json_problem(line, exc))
                    continue
                empty = False
                try:
                    if type(item) is not dict:
                        raise FieldError(
                            f"line {number} is a JSON {type(item).__name__}, not an object",
                            "json_object",
                        )
                    yield build(item, Origin(name, number))
                except FieldError as exc:
                    found = item.get(self.key_field) if type(item) is dict else None
                    key = found.strip() or None if isinstance(found, str) else None
                    line = text_line(number, raw) or TextLine(number, raw, True)
                    yield self._reject(name, line, key, exc)
        if empty:
            stats.warnings.append(EMPTY_FILE_WARNING)

    def _reject(self, delivery: str, line: TextLine, key: str | None, error: FieldError) -> Reject:
        raw = capped_raw(line.data.decode("utf-8", "replace"), self.limits.raw_chars)
        origin = str(Origin(delivery, line.number))
        return Reject(self.source, key, raw, str(error), origin, error.rule)

    def _overlong_reject(self, delivery: str, number: int, line: OverlongLine) -> Reject:
        max_bytes, origin = self.limits.max_line_bytes, Origin(delivery, number)
        key = _key_in(line.head, self.key_field)
        return Reject(
            self.source,
            key,
            line.raw(self.limits.raw_chars),
            line.reason(number, max_bytes),
            str(origin),
            "line_too_long",
        )


def _key_in(head: bytes, key_field: str) -> str | None:
    """The record key a line's beginning names (`"survey_id": "SV-1"`), if it names one."""
    found = re.search(rb'"%s"\s*:\s*"([^"\\]{1,64})"' % re.escape(key_field.encode()), head)
    if found is None:
        return None
    return found.group(1).decode("utf-8", "replace").strip() or None
