"""Land: read each new delivery through its connector into the landing store.

A delivery is landed whole or not at all: records are collected while the connector reads,
and only a completed reading is written (landed tables, unreadable rows to the quarantine,
the delivery's counts). A fatal error marks the delivery `failed` with its message and is
raised again for the asset to fail clearly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from connectors.api_source import ApiDeliveryReading
from connectors.errors import ConnectorError
from connectors.file_source import FileDelivery
from connectors.outcomes import DeliveryReading, Reject
from hub.graph.models import SourceCursor
from pipelines import deliveries
from pipelines.quarantine import quarantine_unreadable
from pipelines.resources import BankAgency, FolderAgency, HubDatabase, TaxAgency
from pipelines.sources import SOURCES


@dataclass
class LandingReport:
    source: str
    landed: list[int] = field(default_factory=list)
    delivered: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)


LANDING_CHUNK = 100_000
"""Records held as Python objects at most before they are written as a Parquet part."""


def _land_reading(
    hub: HubDatabase,
    delivery_id: int,
    reading: DeliveryReading[Any],
    report: LandingReport,
    cursor: Callable[[], str | None] = lambda: None,
) -> None:
    """Read a delivery to its end, writing its records in parts; then record the delivery.

    On a connector error the delivery is marked failed, its parts are removed and the
    error is raised again. `cursor` is asked only after the reading completed.
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
        store.discard(report.source, delivery_id)
        with hub.session() as session:
            deliveries.fail(session, delivery_id, str(exc))
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
    report.landed.append(delivery_id)
    report.delivered += stats.delivered
    report.accepted += stats.accepted
    report.rejected += stats.rejected
    report.warnings.extend(f"{stats.delivery}: {w}" for w in stats.warnings + stats.errors)


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
    """Land every new or changed file of a folder source, oldest first.

    Land snapshots are all landed too: an older snapshot still tells which leases existed
    (they stay in the graph, no longer current); the load lets only the newest decide
    what is current.
    """
    spec = SOURCES[source]
    if spec.file_connector is None:
        raise ValueError(f"Source '{source}' is not delivered as files.")
    connector = agency.connector(spec.file_connector)
    files = connector.list_deliveries()
    report = LandingReport(source)
    abandon_interrupted(hub, source)
    failures: list[ConnectorError] = []
    for delivery, fingerprint in _new_files(hub, source, files):
        with hub.session() as session:
            delivery_id = deliveries.open_delivery(
                session, source, delivery.name, fingerprint=fingerprint, run_id=run_id
            )
        try:
            _land_reading(hub, delivery_id, connector.read_delivery(delivery), report)
        except ConnectorError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
    return report


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
