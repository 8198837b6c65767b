"""Where everything came from: deliveries, source records, conflicts, the quarantine,
incremental cursors. (The audit log lives in `hub.graph.models.access`.)

- `Delivery`: one file or one API window read for a source, with its counts
  (delivered = accepted + rejected, always).
- `SourceRecord`: one (source, record key), unique, with the golden entity it was linked
  to, the mention's identifying attributes (for record linkage) and first/last seen.
- `Reject`: the quarantine. A record that could not be read or failed a row-level rule,
  with its raw text and reasons; `status` leaves 'open' when a corrected redelivery of
  the same (source, record key) is accepted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.types import (
    BigId,
    UtcDateTime,
    mahalla_code_str,
    pk_id,
    record_key_str,
    short_str,
    source_id_str,
    utc_now,
)


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_source_status", "source", "status"),)

    id: Mapped[pk_id]
    source: Mapped[source_id_str]
    name: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[short_str] = mapped_column(default="running")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    # Delivered units that repeated an earlier unit's record key (the later one wins).
    duplicate_keys: Mapped[int] = mapped_column(default=0, server_default="0")
    cursor_from: Mapped[str | None] = mapped_column(String(64))
    cursor_to: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(64))
    # When an engineer let a held delivery load (pipelines/deliveries.py: `confirm`).
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SourceRecord(Base):
    """One agency record as the hub saw it, and the golden entity it belongs to."""

    __tablename__ = "source_record"
    __table_args__ = (
        UniqueConstraint("source", "record_key"),
        Index("ix_source_record_pinfl", "pinfl"),
        Index("ix_source_record_block", "surname_key", "birth_on"),
        # Blocking keys for gathering an incoming mention's candidates (pipelines.linking).
        Index("ix_source_record_surname_year", "surname_key", "birth_year"),
        Index("ix_source_record_mahalla_surname", "mahalla_code", "surname_key"),
    )

    id: Mapped[pk_id]
    source: Mapped[source_id_str]
    record_key: Mapped[record_key_str]
    kind: Mapped[short_str]
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    first_delivery_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("delivery.id"))
    last_delivery_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("delivery.id"))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    # The mention as delivered, normalised: what record linkage compares. A PINFL of the
    # wrong length is kept as delivered (with its issue), so the column is wider than 14.
    pinfl: Mapped[str | None] = mapped_column(String(32))
    pinfl_issue: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[str | None] = mapped_column(String(200))
    latin_name: Mapped[str | None] = mapped_column(String(200))
    name_key: Mapped[str | None] = mapped_column(String(200))
    surname_key: Mapped[str | None] = mapped_column(String(100))
    # `birth_on`/`sex`: the record's own values, else those inside its valid PINFL (for
    # display); `stated_*`: only what the record itself says (what linkage compares).
    birth_on: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    stated_birth_on: Mapped[date | None]
    stated_sex: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    mahalla_code: Mapped[mahalla_code_str | None]
    household_key: Mapped[str | None] = mapped_column(String(64))
    passport: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    tin: Mapped[str | None] = mapped_column(String(9), index=True)
    # The passport and phone as linkage compares them (hub.identity.linkage.features), for
    # finding an incoming mention's candidates whatever way either was written.
    passport_key: Mapped[str | None] = mapped_column(String(16), index=True)
    phone_key: Mapped[str | None] = mapped_column(String(9), index=True)
    # The link: how the record joined its person (see pipelines.linking).
    match_method: Mapped[str | None] = mapped_column(String(32))
    match_score: Mapped[float | None] = mapped_column(Float)  # the match probability
    match_weight: Mapped[float | None] = mapped_column(Float)  # its log2 Bayes factor
    matched_source: Mapped[str | None] = mapped_column(String(16))
    matched_record_key: Mapped[str | None] = mapped_column(String(64))
    unlinked_reason: Mapped[str | None] = mapped_column(String(200))
    model_version: Mapped[str | None] = mapped_column(String(64))
    linked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LinkContribution(Base):
    """One step of a source record's link waterfall: the comparison level its pair hit
    and that level's weight (log2 Bayes factor); the comparison "prior" is the start."""

    __tablename__ = "link_contribution"

    source_record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("source_record.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    comparison: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(200))
    log2_bayes_factor: Mapped[float] = mapped_column(Float)


class PersonRedirect(Base):
    """A hub id that no longer names a person of its own: merged into `to_hub_id`.

    Redirects are kept flat: when the survivor is merged again, every redirect to it is
    pointed at the new survivor, so one lookup always reaches a live person.
    """

    __tablename__ = "person_redirect"

    from_hub_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    to_hub_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    merged_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class PersonSplit(Base):
    """A person minted from records that linkage took away from another person, and why."""

    __tablename__ = "person_split"

    id: Mapped[pk_id]
    hub_id: Mapped[str] = mapped_column(String(32), index=True)
    from_hub_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    split_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class PersonConflict(Base):
    """A value a source gives for a person that disagrees with the surviving value
    (`kind` "attribute"), or an identity conflict linkage found between two records
    (`kind` "pinfl_overruled", "pinfl_shared", "merge_refused"; `attribute` = the kind)."""

    __tablename__ = "person_conflict"
    __table_args__ = (UniqueConstraint("person_id", "attribute", "source", "record_key"),)

    id: Mapped[pk_id]
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    attribute: Mapped[short_str]
    value: Mapped[str | None] = mapped_column(String(200))
    surviving_value: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[source_id_str]
    record_key: Mapped[record_key_str]
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    kind: Mapped[short_str] = mapped_column(default="attribute")
    other_source: Mapped[str | None] = mapped_column(String(16))
    other_record_key: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(300))


class Reject(Base):
    """The quarantine: a record that was not loaded, with its raw text and reasons.

    One entry per rejected content: `fingerprint` is the SHA-256 of its source, record key,
    stage, rule and full raw text; a rerun that rejects the same content again updates
    `seen_count`, `last_seen_at` and `delivery_id` (the delivery that saw it last) instead
    of adding an entry (`pipelines.quarantine_entries`).
    """

    __tablename__ = "reject"
    __table_args__ = (
        Index("ix_reject_source_status_rule", "source", "status", "rule"),
        Index("ix_reject_source_record_key", "source", "record_key"),
        Index("ix_reject_fingerprint", "fingerprint"),
    )

    id: Mapped[pk_id]
    source: Mapped[source_id_str]
    record_key: Mapped[str | None] = mapped_column(String(64))
    delivery_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("delivery.id", ondelete="SET NULL"), index=True
    )
    stage: Mapped[short_str]
    rule: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    raw: Mapped[str] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[short_str] = mapped_column(default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by_delivery_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("delivery.id"))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    seen_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class SourceCursor(Base):
    """The incremental position of an API source, saved only after its load committed."""

    __tablename__ = "source_cursor"

    source: Mapped[source_id_str] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
    delivery_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("delivery.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class DeliveryRegion(Base):
    """One region's share of a delivery, loaded by that region's partition
    (pipelines.regions): its rows were linked and written in one transaction at `loaded_at`.
    `region` is a SOATO region code, or "country" for the rows with no region. The delivery
    itself becomes `loaded` once the country-wide step has loaded its rows without a region
    after every region partition ran."""

    __tablename__ = "delivery_region"

    delivery_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("delivery.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    rows: Mapped[int] = mapped_column(default=0)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
