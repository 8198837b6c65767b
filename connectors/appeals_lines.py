"""The fast path of the appeals connector: a line decoded straight into typed structs.

As in `connectors.survey_lines`: msgspec checks types, enum codes and required fields in C;
anything it refuses, and any line `appeal_record` declines, is left to the general path of
`AppealsConnector.build`, which accepts it or names the broken rule. Date-times are decoded
as text and read with `datetime.fromisoformat`, exactly as the general path reads them
(msgspec's own RFC 3339 reading accepts and rounds a few forms differently).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from connectors.records import AppealRecord, Origin
from connectors.vocabulary import AppealChannel, AppealStatus, AppealTopic


class ApplicantLine(msgspec.Struct, gc=False):
    pinfl: str | None = None
    full_name: str | None = None
    phone: str | None = None


class AppealLine(msgspec.Struct, gc=False):
    appeal_id: str
    received_at: str
    channel: AppealChannel
    topic: AppealTopic
    status: AppealStatus
    mahalla_code: str | None = None
    applicant: ApplicantLine | None = None
    addressed_to: str | None = None
    resolved_at: str | None = None


DECODER = msgspec.json.Decoder(AppealLine)
_NO_APPLICANT = ApplicantLine()


def _text(value: str | None) -> str | None:
    return None if value is None else value.strip() or None


def _aware(value: str) -> datetime | None:
    """The date-time, or None if it is not one with a UTC offset (the general path decides)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else parsed


def appeal_record(line: AppealLine, origin: Origin) -> AppealRecord | None:
    """The record of a decoded line, or None when a rule needs the general path's reason."""
    appeal_id, received_at = line.appeal_id.strip(), _aware(line.received_at)
    resolved = line.resolved_at
    resolved_at = None if resolved is None or resolved == "" else _aware(resolved)
    if not appeal_id or received_at is None or (resolved and resolved_at is None):
        return None
    applicant = line.applicant or _NO_APPLICANT
    return AppealRecord(
        appeal_id,
        received_at,
        line.channel,
        _text(line.mahalla_code),
        _text(applicant.pinfl),
        _text(applicant.full_name),
        _text(applicant.phone),
        line.topic,
        _text(line.addressed_to),
        line.status,
        resolved_at,
        origin,
    )
