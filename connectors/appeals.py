"""appeals: citizens' appeals, files `appeals_*.jsonl`, one appeal a line.

Any applicant field may be null, and so may the whole `applicant` (anonymous appeals).
`mahalla_code` and `addressed_to` are optional strings. That `resolved_at` is set only for
resolved or rejected appeals is a cross-field rule for staging, not checked here. Later
files (by name) win for the same `appeal_id`. Lines are first tried on the typed fast path of
`connectors.appeals_lines`; `build` here decides every other line.
"""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.appeals_lines import DECODER, appeal_record
from connectors.fields import (
    FieldError,
    aware_datetime,
    enum_member,
    optional_aware_datetime,
    optional_text,
    required_text,
)
from connectors.json_lines import JsonLinesConnector, TypedLines
from connectors.records import AppealRecord, Origin
from connectors.vocabulary import AppealChannel, AppealStatus, AppealTopic, lookup_table

CHANNELS = lookup_table(AppealChannel)
TOPICS = lookup_table(AppealTopic)
STATUSES = lookup_table(AppealStatus)


class AppealsConnector(JsonLinesConnector[AppealRecord]):
    """Reads `appeals_*.jsonl` files from `HUB_APPEALS_DIR`."""

    source: ClassVar[str] = "appeals"
    prefix: ClassVar[str] = "appeals_"
    key_field: ClassVar[str] = "appeal_id"
    typed_lines: ClassVar[TypedLines[Any] | None] = TypedLines(DECODER.decode, appeal_record)

    def build(self, item: dict[str, Any], origin: Origin) -> AppealRecord:
        applicant = item.get("applicant")
        if applicant is None:
            applicant = {}
        elif not isinstance(applicant, dict):
            raise FieldError(f"applicant {applicant!r} is not an object", "type:applicant")
        return AppealRecord(
            appeal_id=required_text("appeal_id", item.get("appeal_id")),
            received_at=aware_datetime("received_at", item.get("received_at")),
            channel=enum_member("channel", item.get("channel"), CHANNELS),
            mahalla_code=optional_text("mahalla_code", item.get("mahalla_code")),
            applicant_pinfl=optional_text("applicant.pinfl", applicant.get("pinfl")),
            applicant_full_name=optional_text("applicant.full_name", applicant.get("full_name")),
            applicant_phone=optional_text("applicant.phone", applicant.get("phone")),
            topic=enum_member("topic", item.get("topic"), TOPICS),
            addressed_to=optional_text("addressed_to", item.get("addressed_to")),
            status=enum_member("status", item.get("status"), STATUSES),
            resolved_at=optional_aware_datetime("resolved_at", item.get("resolved_at")),
            origin=origin,
        )
