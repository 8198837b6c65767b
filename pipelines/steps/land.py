"""Land: read each new delivery through its connector into the landing store.

A delivery is landed whole or not at all: records are collected while the connector reads,
and only a completed reading is written (landed tables, unreadable rows to the quarantine,
the delivery's counts). A fatal error marks the delivery `failed` with its message and is
raised again for the asset to fail clearly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.api_source import ApiDeliveryReading
from connectors.errors import ConnectorError, DeliveryFormatError
from connectors.file_source import FileDelivery
from connectors.outcomes import DeliveryReading, Reject
from hub.graph.models import SourceCursor
from hub.graph.types import utc_now
from pipelines import deliveries
from pipelines.landing.settling import LookLog, split_settled, waiting_message
from pipelines.quarantine import (
    quarantine_unreadable,
    quarantine_unreadable_file,
    resolve_superseded,
)
from pipelines.resources import BankAgency, FolderAgency, HubDatabase, TaxAgency
from pipelines.sources import SOURCES


@dataclass
class LandingReport:
    source: str
    landed: list[int] = field(default_factory=list)
    delivered: int = 0
    accepted: int = 0
    rejected: int = 0
    rejected_by_rule: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    quarantined: list[int] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


LANDING_CHUNK = 100_000
"""Records held as Python objects at most before they are written as a Parquet part."""


def _land_reading(
    hub: HubDatabase,
    delivery_id: int,
    reading: DeliveryReading[Any],
    report: LandingReport,
    cursor: Callable[[], str | None] = lambda: None,
    file: FileDelivery | None = None,
) -> None:
    """Read a delivery to its end, writing its records in parts; then record the delivery.

    On a connector error its parts are removed, the delivery is marked failed (a file no
    row of which can be read: quarantined, see `_set_aside`) and the error is raised again.
    `cursor` is asked only after the reading completed. A completed `file` supersedes the
    earlier versions of the same file (`_supersede`).
    """
    store = hub.landing()
    spec = SOURCES[report.source]
    chunk: list[Any] = []
    rejects: list[Reject] = []
    parts = 0

    def flush() -> None:
        nonlocal parts
        parts += 1
        for table, frame in spec.frames(chunk).items():
            store.write("landed", report.source, delivery_id, table, frame, part=parts)
        chunk.clear()

    try:
        for item in reading:
            if isinstance(item, Reject):
                rejects.append(item)
                continue
            chunk.append(item)
            if len(chunk) >= LANDING_CHUNK:
                flush()
    except ConnectorError as exc:
        _abandon(hub, report.source, delivery_id, exc, file)
        raise
    if chunk or parts == 0:
        flush()
    stats = reading.stats
    with hub.session() as session:
        quarantine_unreadable(session, delivery_id, rejects)
        message = "; ".join(stats.warnings + stats.errors) or None
        deliveries.advance(
            session,
            delivery_id,
            "landed",
            delivered=stats.delivered,
            accepted=stats.accepted,
            rejected=stats.rejected,
            message=message,
            cursor_to=cursor(),
        )
        if file is not None:
            _supersede(hub, session, report.source, file.name, delivery_id)
    report.landed.append(delivery_id)
    report.delivered += stats.delivered
    report.accepted += stats.accepted
    report.rejected += stats.rejected
    for reject in rejects:
        report.rejected_by_rule[reject.rule] = report.rejected_by_rule.get(reject.rule, 0) + 1
    report.warnings.extend(f"{stats.delivery}: {w}" for w in stats.warnings + stats.errors)


def _abandon(
    hub: HubDatabase,
    source: str,
    delivery_id: int,
    exc: ConnectorError,
    file: FileDelivery | None,
) -> None:
    """Remove a broken reading's parts; the delivery fails (read again next run), or, for
    a file no row of which can be read, is set aside."""
    hub.landing().discard(source, delivery_id)
    with hub.session() as session:
        if isinstance(exc, DeliveryFormatError) and file is not None:
            _set_aside(session, source, delivery_id, file, exc)
        else:
            deliveries.fail(session, delivery_id, str(exc))


def _set_aside(
    session: Session, source: str, delivery_id: int, file: FileDelivery, exc: DeliveryFormatError
) -> None:
    """A file no row of which can be read: one quarantine entry, the delivery quarantined
    (`seen_files` keeps it from being read again until its content changes)."""
    deliveries.quarantine(session, delivery_id, str(exc))
    description = f"the whole file {file.name}: {file.size} bytes, modified {file.modified_at}"
    quarantine_unreadable_file(session, source, delivery_id, file.name, description, str(exc))


def _supersede(
    hub: HubDatabase, session: Session, source: str, name: str, delivery_id: int
) -> None:
    """A new version of file `name` replaces the earlier ones: those not loaded yet are
    superseded (their landing files removed), and the open rejects of all are resolved."""
    earlier = deliveries.supersede_earlier_versions(session, source, name, delivery_id)
    resolve_superseded(session, earlier, delivery_id, utc_now())
    for earlier_id in earlier:
        hub.landing().discard(source, earlier_id)


def _new_files(
    hub: HubDatabase, source: str, files: Iterable[FileDelivery]
) -> list[tuple[FileDelivery, str]]:
    with hub.session() as session:
        seen = deliveries.seen_files(session, source)
    fresh = []
    for delivery in files:
        fingerprint = delivery.sha256()
        if (delivery.name, fingerprint) not in seen:
            fresh.append((delivery, fingerprint))
    return fresh


def abandon_interrupted(hub: HubDatabase, source: str) -> int:
    """Mark deliveries left `landing` by a killed run as failed, so they are read again.

    Runs of one source do not overlap (each source job lands its own source), so a
    delivery still `landing` when a new landing starts belongs to a run that died.
    """
    with hub.session() as session:
        stale = deliveries.pending(session, source, "landing")
        for ref in stale:
            deliveries.fail(session, ref.id, "interrupted while landing; read again later")
    return len(stale)


def land_files(
    hub: HubDatabase, agency: FolderAgency, source: str, run_id: str | None
) -> LandingReport:
    """Land every new or changed file of a folder source that has settled, oldest first.

    A file still being written waits for a later run (pipelines/landing/settling.py). A
    file that cannot be read at all is quarantined whole, and the source's other files
    go on in their order. Land snapshots are all landed too: an older snapshot still tells
    which leases existed (they stay in the graph, no longer current); the load lets only
    the newest decide what is current.
    """
    spec = SOURCES[source]
    if spec.file_connector is None:
        raise ValueError(f"Source '{source}' is not delivered as files.")
    connector = agency.connector(spec.file_connector)
    report = LandingReport(source)
    abandon_interrupted(hub, source)
    failures: list[ConnectorError] = []
    settled = _settled(hub, connector.list_deliveries(), agency.settle_seconds, report)
    for delivery, fingerprint in _new_files(hub, source, settled):
        with hub.session() as session:
            delivery_id = deliveries.open_delivery(
                session, source, delivery.name, fingerprint=fingerprint, run_id=run_id
            )
        try:
            reading = connector.read_delivery(delivery)
            _land_reading(hub, delivery_id, reading, report, file=delivery)
        except DeliveryFormatError as exc:
            report.quarantined.append(delivery_id)
            report.warnings.append(f"{delivery.name}: quarantined whole: {exc}")
        except ConnectorError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
    return report


def _settled(
    hub: HubDatabase, files: list[FileDelivery], settle_seconds: float, report: LandingReport
) -> list[FileDelivery]:
    """The folder's `files` that are complete; the others are reported as waiting."""
    log = LookLog(hub.landing().root)
    settle = timedelta(seconds=settle_seconds)
    found = split_settled(files, log.previous(report.source), datetime.now(UTC), settle)
    log.save(report.source, files)
    report.waiting.extend(d.name for d in found.changing)
    report.warnings.extend(waiting_message(d, settle) for d in found.changing)
    return found.settled


def _saved_cursor(hub: HubDatabase, source: str) -> str | None:
    with hub.session() as session:
        return session.scalar(select(SourceCursor.value).where(SourceCursor.source == source))


def land_tax(hub: HubDatabase, agency: TaxAgency, run_id: str | None) -> LandingReport:
    """One walk of the tax API from the saved cursor (the largest `updated_at` loaded)."""
    abandon_interrupted(hub, "tax")
    saved = _saved_cursor(hub, "tax")
    since = datetime.fromisoformat(saved) if saved else None
    report = LandingReport("tax")
    with agency.connector() as connector:
        reading = connector.read_delivery(since)
        with hub.session() as session:
            delivery_id = deliveries.open_delivery(
                session, "tax", reading.stats.delivery, cursor_from=saved, run_id=run_id
            )
        _land_api(hub, delivery_id, reading, report)
    return report


def land_bank(hub: HubDatabase, agency: BankAgency, run_id: str | None) -> LandingReport:
    """One walk of the bank API from the saved issue date, less the lookback window."""
    abandon_interrupted(hub, "bank")
    saved = _saved_cursor(hub, "bank")
    issued_from = agency.issued_from(date.fromisoformat(saved) if saved else None)
    report = LandingReport("bank")
    with agency.connector() as connector:
        reading = connector.read_delivery(issued_from)
        with hub.session() as session:
            delivery_id = deliveries.open_delivery(
                session, "bank", reading.stats.delivery, cursor_from=saved, run_id=run_id
            )
        _land_api(hub, delivery_id, reading, report)
    return report


def _land_api(
    hub: HubDatabase, delivery_id: int, reading: ApiDeliveryReading[Any, Any], report: LandingReport
) -> None:
    def cursor() -> str | None:
        # Known only once the walk completed; saved only after the load commits.
        value = reading.cursor
        return value.isoformat() if value is not None else None

    _land_reading(hub, delivery_id, reading, report, cursor)
