"""registry: the mahalla register (`mahallas.csv`) and khokim assistants (`assistants.csv`).

CSV, UTF-8 (a byte-order mark is tolerated), comma, header row. Columns are found by their
header name (order is free, extra columns are ignored); a header lacking a contract column is
a `DeliveryFormatError`. The folder holds one current full snapshot of each file:
`mahallas.csv` is listed before `assistants.csv` because assistants refer to mahallas. That
an assistant's `mahalla_code` exists in `mahallas.csv` is checked in staging, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import ClassVar

from connectors.errors import DeliveryFormatError
from connectors.fields import FieldError, digits, iso_date, optional_text, required_text
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery
from connectors.outcomes import DeliveryStats, Reject
from connectors.records import AssistantRecord, MahallaRecord, Origin
from connectors.text_lines import iter_csv_rows

MAHALLA_COLUMNS = (
    "region_soato",
    "region_name",
    "district_soato",
    "district_name",
    "mahalla_code",
    "mahalla_name",
    "mahalla_stir",
)
ASSISTANT_COLUMNS = ("assistant_id", "full_name", "phone", "mahalla_code", "appointed_on")
FILES: dict[str, tuple[str, ...]] = {
    "mahallas.csv": MAHALLA_COLUMNS,
    "assistants.csv": ASSISTANT_COLUMNS,
}

KEY_COLUMNS = {"mahallas.csv": "mahalla_code", "assistants.csv": "assistant_id"}

RegistryRecord = MahallaRecord | AssistantRecord


def _mahalla(values: Sequence[str], origin: Origin) -> MahallaRecord:
    region = digits("region_soato", values[0].strip(), 4)
    district = digits("district_soato", values[2].strip(), 7)
    code = digits("mahalla_code", values[4].strip(), 10)
    if not district.startswith(region):
        raise FieldError(
            f"district_soato '{district}' does not start with region_soato '{region}'",
            "hierarchy:district_soato",
        )
    if not code.startswith(district):
        raise FieldError(
            f"mahalla_code '{code}' does not start with district_soato '{district}'",
            "hierarchy:mahalla_code",
        )
    return MahallaRecord(
        region_soato=region,
        region_name=required_text("region_name", values[1]),
        district_soato=district,
        district_name=required_text("district_name", values[3]),
        mahalla_code=code,
        mahalla_name=required_text("mahalla_name", values[5]),
        mahalla_stir=digits("mahalla_stir", values[6].strip(), 9),
        origin=origin,
    )


def _assistant(values: Sequence[str], origin: Origin) -> AssistantRecord:
    return AssistantRecord(
        assistant_id=required_text("assistant_id", values[0]),
        full_name=required_text("full_name", values[1]),
        phone=optional_text("phone", values[2]),
        mahalla_code=digits("mahalla_code", values[3].strip(), 10),
        appointed_on=iso_date("appointed_on", values[4].strip()),
        origin=origin,
    )


def _key(fields: Sequence[str], position: int) -> str | None:
    """The record key of a row, if the row is long enough to have one."""
    if len(fields) <= position:
        return None
    return fields[position].strip() or None


PARSERS: dict[str, Callable[[Sequence[str], Origin], RegistryRecord]] = {
    "mahallas.csv": _mahalla,
    "assistants.csv": _assistant,
}


class RegistryConnector(FileConnector[RegistryRecord]):
    """Reads `mahallas.csv` and `assistants.csv` from `HUB_REGISTRY_DIR`."""

    source: ClassVar[str] = "registry"

    def is_delivery_name(self, name: str) -> bool:
        return name in FILES

    def delivery_order(self, name: str) -> tuple[int, str]:
        return (list(FILES).index(name), name)

    def parse(
        self, delivery: FileDelivery, stats: DeliveryStats
    ) -> Iterator[RegistryRecord | Reject]:
        columns = FILES.get(delivery.name)
        if columns is None:
            raise DeliveryFormatError(
                self.source, f"'{delivery.name}' is not a registry file name", delivery.name
            )
        build = PARSERS[delivery.name]
        with delivery.path.open("rb") as binary:
            rows = iter_csv_rows(binary, "utf-8-sig", ",", limits=self.limits)
            header = next(rows, None)
            if header is None:
                stats.warnings.append(EMPTY_FILE_WARNING)
                return
            positions = self._positions(delivery.name, header.fields, header.problem, columns)
            width = len(header.fields)
            key_position = positions[columns.index(KEY_COLUMNS[delivery.name])]
            for row in rows:
                origin = Origin(delivery.name, row.line)
                key = _key(row.fields, key_position)
                try:
                    if row.problem:
                        raise FieldError(row.problem, row.problem.rule)
                    if len(row.fields) != width:
                        raise FieldError(
                            f"the row has {len(row.fields)} columns, the header has {width}"
                            + ("; the file appears truncated" if not row.terminated else ""),
                            "columns",
                        )
                    yield build([row.fields[i] for i in positions], origin)
                except FieldError as exc:
                    yield Reject(self.source, key, row.raw, str(exc), str(origin), exc.rule)

    def _positions(
        self, name: str, found: list[str], problem: str | None, expected: tuple[str, ...]
    ) -> list[int]:
        names = [column.strip() for column in found]
        missing = [column for column in expected if column not in names]
        if problem or missing:
            raise DeliveryFormatError(
                self.source,
                f"{name}: header {names} does not have the contract's columns "
                f"{list(expected)} (missing {missing}){'; ' + problem if problem else ''}",
                name,
            )
        return [names.index(column) for column in expected]
