"""employment: monthly job-seeker and placement files `employment_YYYY-MM.csv`.

Windows-1251, `;`, CRLF, the Russian header of the contract exactly (a different header, or
a file that is UTF-8 as a whole, is a `DeliveryFormatError` naming expected and found
columns). A single UTF-8 line inside a Windows-1251 file becomes a reject. Statuses and sexes
are mapped to the English codes of `connectors.vocabulary`. Files are listed by month; a
record of a later month wins. That `ИНН работодателя` is empty unless `трудоустроен` is a
cross-field rule for staging and is not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from connectors.errors import DeliveryFormatError
from connectors.fields import FieldError, ParsedCache, dmy_date, enum_member, required_text
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery
from connectors.outcomes import DeliveryStats, Reject
from connectors.records import EmploymentRecord, Origin
from connectors.text_lines import CsvRow, iter_csv_rows
from connectors.vocabulary import EMPLOYMENT_STATUS_RU, SEX_RU

HEADER = (
    "Номер записи",
    "ПИНФЛ",
    "ФИО",
    "Дата рождения",
    "Пол",
    "Код махалли",
    "Статус",
    "Дата статуса",
    "ИНН работодателя",
    "Направление",
)
ENCODING = "cp1251"
FILE_NAME = re.compile(r"employment_\d{4}-(0[1-9]|1[0-2])\.csv")


_DATES = ParsedCache(dmy_date, limit=1 << 15)


def _build(fields: list[str], origin: Origin) -> EmploymentRecord:
    """The record of one row; each field takes a fast path (a strip, a dict lookup) and calls
    its strict parser, which raises the reject reason, only when that path finds nothing."""
    record_no, pinfl, name, born, sex, mahalla, status, status_on, employer, referral = fields
    born, sex, status, status_on = born.strip(), sex.strip(), status.strip(), status_on.strip()
    return EmploymentRecord(
        record_no=record_no.strip() or required_text("Номер записи", record_no),
        pinfl=pinfl.strip() or None,
        full_name=name.strip() or required_text("ФИО", name),
        # May be empty (SOURCES.md, 2026-12-03): records migrated from paper registers.
        birth_date=(_DATES.get(born) or _DATES.parse("Дата рождения", born)) if born else None,
        sex=SEX_RU.get(sex) or enum_member("Пол", sex, SEX_RU),
        mahalla_code=mahalla.strip() or None,
        status=EMPLOYMENT_STATUS_RU.get(status)
        or enum_member("Статус", status, EMPLOYMENT_STATUS_RU),
        status_on=_DATES.get(status_on) or _DATES.parse("Дата статуса", status_on),
        employer_tin=employer.strip() or None,
        referral=referral.strip() or None,
        origin=origin,
    )


class EmploymentConnector(FileConnector[EmploymentRecord]):
    """Reads `employment_YYYY-MM.csv` files from `HUB_EMPLOYMENT_DIR`, month by month."""

    source: ClassVar[str] = "employment"

    def is_delivery_name(self, name: str) -> bool:
        return FILE_NAME.fullmatch(name) is not None

    def parse(
        self, delivery: FileDelivery, stats: DeliveryStats
    ) -> Iterator[EmploymentRecord | Reject]:
        width = len(HEADER)
        with delivery.path.open("rb") as binary:
            rows = iter_csv_rows(binary, ENCODING, ";", limits=self.limits)
            header = next(rows, None)
            if header is None:
                stats.warnings.append(EMPTY_FILE_WARNING)
                return
            self._check_header(delivery.name, header)
            for row in rows:
                origin = Origin(delivery.name, row.line)
                fields = row.fields
                try:
                    if row.problem:
                        raise FieldError(row.problem, row.problem.rule)
                    if len(fields) != width:
                        truncated = "" if row.terminated else "; the file appears truncated"
                        raise FieldError(
                            f"the row has {len(fields)} columns, the contract has {width}"
                            + truncated,
                            "columns",
                        )
                    yield _build(fields, origin)
                except FieldError as exc:
                    key = fields[0].strip() or None if fields else None
                    yield Reject(self.source, key, row.raw, str(exc), str(origin), exc.rule)

    def _check_header(self, name: str, header: CsvRow) -> None:
        found = tuple(column.strip() for column in header.fields)
        if header.problem is None and found == HEADER:
            return
        if header.problem is not None:
            detail = f"{header.problem}; the whole file must be Windows-1251"
        else:
            detail = f"expected columns {list(HEADER)}, found {list(found)}"
        raise DeliveryFormatError(self.source, f"{name}: unreadable header: {detail}", name)
