"""The base of the folder-based connectors: list deliveries, read one delivery at a time.

A delivery is one file. `list_deliveries()` returns the folder's delivery files in the
contract's order (oldest first, so that "later wins" is processing order); a pipeline keeps
what it already loaded (name + sha256 or mtime) and reads only new or changed files with
`read_delivery()`. Files that do not match the contract's file names are ignored.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from connectors.limits import FileLimits, file_limits_from_env
from connectors.outcomes import DeliveryReading, DeliveryStats, Keyed, Reject, count_outcomes
from connectors.settings import FOLDER_VARIABLES, check_folder, folder_from_env

R = TypeVar("R", bound=Keyed)

EMPTY_FILE_WARNING = "the file is empty: it delivered zero records"


@dataclass(frozen=True, slots=True)
class FileDelivery:
    """One delivered file; `modified_at` is the file's mtime in UTC."""

    name: str
    path: Path
    size: int
    modified_at: datetime

    @classmethod
    def from_path(cls, path: Path | str) -> FileDelivery:
        p = Path(path)
        info = p.stat()
        return cls(p.name, p, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC))

    def sha256(self) -> str:
        """Hex SHA-256 of the content, read in chunks (a changed file under the same name)."""
        digest = hashlib.sha256()
        with self.path.open("rb") as binary:
            while chunk := binary.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()


class FileConnector(ABC, Generic[R]):
    """A source delivered as files in a folder; subclasses parse one file.

    `folder` defaults to the source's `HUB_*_DIR` variable (read from `environ`, default
    `os.environ`); a missing folder raises `ConfigurationError` naming the variable.
    `limits` (default: `connectors.limits`' variables) bound fields, lines and raw texts.
    """

    source: ClassVar[str]

    def __init__(
        self,
        folder: Path | str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        limits: FileLimits | None = None,
    ) -> None:
        self.limits = limits or file_limits_from_env(environ)
        if folder is None:
            self.folder = folder_from_env(self.source, environ)
        else:
            self.folder = check_folder(self.source, folder, None)

    @property
    def env_variable(self) -> str:
        return FOLDER_VARIABLES[self.source]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(folder={str(self.folder)!r})"

    @abstractmethod
    def is_delivery_name(self, name: str) -> bool:
        """True if a file of this name is a delivery of this source."""

    def delivery_order(self, name: str) -> tuple[int, str]:
        """Sort key of delivery names; by default the name (dates in names sort in time)."""
        return (0, name)

    def list_deliveries(self) -> list[FileDelivery]:
        """The folder's delivery files in processing order (oldest first)."""
        names = sorted(
            (
                p.name
                for p in self.folder.iterdir()
                if p.is_file() and self.is_delivery_name(p.name)
            ),
            key=self.delivery_order,
        )
        return [FileDelivery.from_path(self.folder / name) for name in names]

    def read_delivery(self, delivery: FileDelivery | Path | str) -> DeliveryReading[R | Reject]:
        """A lazy reading of one file: records and rejects in file order, with its stats."""
        if not isinstance(delivery, FileDelivery):
            delivery = FileDelivery.from_path(delivery)
        chosen = delivery
        stats = DeliveryStats(self.source, chosen.name)
        return DeliveryReading(stats, lambda s: count_outcomes(self.parse(chosen, s), s))

    def read_all(self) -> Iterator[DeliveryReading[R | Reject]]:
        """Readings of every delivery in processing order."""
        for delivery in self.list_deliveries():
            yield self.read_delivery(delivery)

    @abstractmethod
    def parse(self, delivery: FileDelivery, stats: DeliveryStats) -> Iterator[R | Reject]:
        """Records and rejects of one file; fatal problems raise `DeliveryFormatError`.

        Implementations add warnings and errors to `stats`; counting is done by the base.
        """
