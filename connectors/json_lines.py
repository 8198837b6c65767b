"""The base of JSON Lines sources (survey, appeals): one JSON object per line, UTF-8.

A line that is not valid UTF-8, not valid JSON, or not an object is a reject; a final line
without its newline that fails to parse is reported as a truncated file. Blank lines are
skipped. Files are listed by name; later files win for the same key.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar

import orjson

from connectors.fields import FieldError
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery, R
from connectors.outcomes import DeliveryStats, Reject
from connectors.records import Origin
from connectors.text_lines import TextLine, text_line


def _json_problem(line: TextLine, exc: orjson.JSONDecodeError) -> str:
    try:
        line.data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return (
            f"line {line.number} is not valid UTF-8 (byte 0x{line.data[bad.start]:02x} at "
            f"position {bad.start}); the file may be in another encoding such as Windows-1251"
        )
    cut = "" if line.terminated else "; the last line has no newline, the file appears truncated"
    return f"line {line.number} is not valid JSON ({exc}){cut}"


class JsonLinesConnector(FileConnector[R]):
    """Subclasses name their files (`prefix`) and turn one JSON object into one record."""

    prefix: ClassVar[str]
    key_field: ClassVar[str]

    def is_delivery_name(self, name: str) -> bool:
        return name.startswith(self.prefix) and name.endswith(".jsonl")

    @abstractmethod
    def build(self, item: dict[str, Any], origin: Origin) -> R:
        """The record of one decoded line; raises `FieldError` for a broken rule."""

    def parse(self, delivery: FileDelivery, stats: DeliveryStats) -> Iterator[R | Reject]:
        empty = True
        name, build, loads = delivery.name, self.build, orjson.loads
        with delivery.path.open("rb") as binary:
            for number, raw in enumerate(binary, start=1):
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
                            f"line {number} is a JSON {type(item).__name__}, not an object"
                        )
                    yield build(item, Origin(name, number))
                except FieldError as exc:
                    found = item.get(self.key_field) if type(item) is dict else None
                    key = found.strip() or None if isinstance(found, str) else None
                    line = text_line(number, raw) or TextLine(number, raw, True)
                    yield self._reject(name, line, key, str(exc))
        if empty:
            stats.warnings.append(EMPTY_FILE_WARNING)

    def _reject(self, delivery: str, line: TextLine, key: str | None, reason: str) -> Reject:
        raw = line.data.decode("utf-8", "replace")
        return Reject(self.source, key, raw, reason, str(Origin(delivery, line.number)))
