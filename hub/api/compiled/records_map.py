"""Where the fields of the agency records (tax, employment, land, loans, notebooks,
appeals) and of provenance (source records, deliveries, conflicts) lie in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select

from hub.api.activities.data import BUSINESS, PARCEL
from hub.api.compiled.kinds import (
    FieldMap,
    Leaf,
    One,
    Rows,
    Same,
    col,
    columns,
    pointing,
    soums,
)
from hub.api.identity import data as identity
from hub.api.identity.data import CONTRIBUTION, HOUSEHOLD_PLOT
from hub.api.people.records import HOUSEHOLD, PERSON
from hub.api.provenance.data import DELIVERY, SOURCE_RECORD
from hub.api.vocabulary import OPEN_APPEAL_STATUSES


def _business_sources(row: Any) -> Select[Any]:
    """The records naming the business of `row`, by source and key as Python orders
    them (`identity.data.fetch_business_sources`)."""
    named = identity.business_sources(lambda tin: tin == row.c.tin).subquery()
    order = [named.c.source.collate("C"), named.c.record_key.collate("C")]
    return select(*named.c, func.row_number().over(order_by=order).label("hub_order"))


def _plot_household(row: Any, child: Any) -> Any:
    """A household-plot lease's household: its lessee's (`LandLeaseNode.household`); none
    for another purpose or a lessee the caller may not see or in no household."""
    lessee, parcel = PERSON.alias(), PARCEL.alias()
    # Correlated to the lease two levels up (explicitly: SQLAlchemy's automatic
    # correlation looks at the enclosing select only).
    household_of_lessee = (
        select(lessee.c.household_id).where(lessee.c.id == row.c.person_id).correlate_except(lessee)
    )
    plot = (
        select(parcel.c.id)
        .where(parcel.c.id == row.c.parcel_id, parcel.c.purpose == HOUSEHOLD_PLOT)
        .correlate_except(parcel)
    )
    return and_(child.c.id == household_of_lessee.scalar_subquery(), plot.exists())


RECORDS: dict[str, dict[str, FieldMap]] = {
    "TaxRegistration": {
        **columns(
            "tin",
            "regime",
            "activity_code",
            "registered_on",
            "closed_on",
            "tax_year",
            "mahalla_code",
            "address",
            "source_updated_at",
            "last_confirmed_at",
        ),
        "isOpen": Leaf(lambda row, sql: row.c.closed_on.is_(None)),
        "declaredIncome": soums("declared_income_tiyin"),
        "person": One("Person", PERSON, pointing("person_id")),
    },
    "EmploymentRecord": {
        **columns(
            "record_no",
            "status",
            "status_on",
            "employer_tin",
            "referral",
            "mahalla_code",
            "source_file",
            "last_confirmed_at",
        ),
        "person": One("Person", PERSON, pointing("person_id")),
    },
    "LandLease": {
        **columns(
            "lease_id",
            "contract",
            "status",
            "is_current",
            "lessee_kind",
            "lessee_name",
            "start_on",
            "end_on",
            "snapshot_on",
            "last_confirmed_at",
        ),
        "parcel": One("Parcel", PARCEL, pointing("parcel_id")),
        "person": One("Person", PERSON, pointing("person_id")),
        "business": One("Business", BUSINESS, pointing("business_id")),
        "household": One("Household", HOUSEHOLD, _plot_household),
    },
    "Parcel": columns("cadastre", "mahalla_code", "area_ha", "purpose", "crop"),
    "Business": {
        **columns("tin", "name", "mahalla_code"),
        # By source and key as Python orders them (`identity.data.fetch_business_sources`).
        "sources": Rows("BusinessSource", _business_sources, ("hub_order",)),
    },
    "BusinessSource": columns("source", "record_key", "role"),
    "Loan": {
        **columns(
            "loan_id",
            "bank_mfo",
            "kind",
            "issued_on",
            "term_months",
            "status",
            "purpose",
            "borrower_name",
            "mahalla_code",
            "last_confirmed_at",
            programme="program",
        ),
        "amount": soums("amount_tiyin"),
        "person": One("Person", PERSON, pointing("person_id")),
    },
    "NotebookEntry": {
        **columns("notebook", "source", "record_key", "entered_on"),
        "person": One("Person", PERSON, pointing("person_id")),
    },
    "Appeal": {
        **columns(
            "appeal_id",
            "received_at",
            "channel",
            "topic",
            "addressed_to",
            "status",
            "resolved_at",
            "mahalla_code",
            "applicant_name",
            "applicant_phone",
        ),
        "isOpen": Leaf(lambda row, sql: row.c.status.in_(OPEN_APPEAL_STATUSES)),
        "person": One("Person", PERSON, pointing("person_id")),
    },
    "SourceRecord": {
        **columns(
            "source",
            "record_key",
            "kind",
            "first_seen_at",
            "last_seen_at",
            "pinfl_issue",
            "match_method",
            "match_score",
        ),
        "firstDelivery": One("Delivery", DELIVERY, pointing("first_delivery_id")),
        "lastDelivery": One("Delivery", DELIVERY, pointing("last_delivery_id")),
        # Person records only (`SourceRecordNode.link`).
        "link": Same("RecordLink", when=lambda row, sql: row.c.kind == "person"),
    },
    "RecordLink": {
        **columns(
            "unlinked_reason",
            "model_version",
            "linked_at",
            method="match_method",
            matchProbability="match_score",
            matchWeight="match_weight",
        ),
        "matchedRecord": One(
            "SourceRecord",
            SOURCE_RECORD,
            lambda row, child: and_(
                child.c.source == row.c.matched_source,
                child.c.record_key == row.c.matched_record_key,
            ),
        ),
        "contributions": Rows(
            "LinkContribution",
            lambda row: select(CONTRIBUTION).where(CONTRIBUTION.c.source_record_id == row.c.id),
            ("position",),
        ),
    },
    "LinkContribution": columns("comparison", "level", "log2_bayes_factor"),
    "Delivery": {
        **columns(
            "source",
            "name",
            "fingerprint",
            "status",
            "started_at",
            "finished_at",
            "delivered",
            "accepted",
            "rejected",
            "duplicate_keys",
            "cursor_from",
            "cursor_to",
            "message",
            "run_id",
            "confirmed_at",
        ),
        "deliveryId": Leaf(col("id")),
    },
    "PersonConflict": columns(
        "attribute",
        "value",
        "surviving_value",
        "source",
        "record_key",
        "detected_at",
        "kind",
        "other_source",
        "other_record_key",
        "detail",
    ),
}
