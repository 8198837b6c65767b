"""land: the rules that turn one `<Lease>` (its attributes and its children's) into a record.

Shared by the general scanner (`connectors.land`) and the fast path (`connectors.land_fast`),
so that both decide every lease alike: `lease_of` reads a lease whose values were all seen
before by plain lookups, and `checked_lease` applies each rule in field order and names the
first one broken.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from connectors.fields import (
    FieldError,
    ParsedCache,
    decimal_comma,
    enum_member,
    iso_date,
    required_text,
)
from connectors.record_init import slot_builder
from connectors.records import LeaseRecord, Origin
from connectors.vocabulary import LandPurpose, LeaseStatus, LesseeKind, lookup_table

ROOT = "LeaseExport"
STATUSES = lookup_table(LeaseStatus)
PURPOSES = lookup_table(LandPurpose)
LESSEE_KINDS = lookup_table(LesseeKind)
CHILDREN = ("Parcel", "Lessee", "Term")
DATES = ParsedCache(iso_date)
AREAS = ParsedCache(decimal_comma)
# One lease and one origin per `<Lease>`, made by plain slot stores: the same records as the
# classes' own constructors make, about three times cheaper.
new_lease: Callable[..., LeaseRecord] = slot_builder(LeaseRecord)
new_origin: Callable[[str, int, str | None], Origin] = slot_builder(Origin)

Attributes = dict[str, str]


def blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def lease_of(lease: Attributes, children: dict[str, Attributes], origin: Origin) -> LeaseRecord:
    """The record of one `<Lease>`; the first broken rule (in field order) is the reason.

    The fast path reads a lease that has every attribute, with values already seen (enum
    codes, cached areas and dates), by plain subscripts; any KeyError, and an empty id or an
    end date not yet cached, sends the lease to `checked_lease`, which applies each rule in
    order and raises the reject reason.
    """
    try:
        parcel, lessee, term = children["Parcel"], children["Lessee"], children["Term"]
        lease_id, end = lease["id"].strip(), term["end"]
        ends_on = DATES[end] if end else None
        record = new_lease(
            lease_id,
            lease["contract"].strip() or None,
            STATUSES[lease["status"]],
            parcel["cadastre"].strip() or None,
            parcel["mahalla"].strip() or None,
            AREAS[parcel["areaHa"]],
            PURPOSES[parcel["purpose"]],
            parcel["crop"].strip() or None,
            LESSEE_KINDS[lessee["kind"]],
            lessee["pinfl"].strip() or None,
            lessee["tin"].strip() or None,
            lessee["name"].strip() or None,
            DATES[term["start"]],
            ends_on,
            origin,
        )
    except KeyError:
        return checked_lease(lease, children, origin)
    return record if lease_id else checked_lease(lease, children, origin)


def checked_lease(
    lease: Attributes, children: dict[str, Attributes], origin: Origin
) -> LeaseRecord:
    """`_lease` with every rule checked in field order (and new values parsed and cached)."""
    missing = [tag for tag in CHILDREN if tag not in children]
    if missing:
        raise FieldError(f"Lease has no <{missing[0]}> element", f"required:{missing[0]}")
    parcel, lessee, term = children["Parcel"], children["Lessee"], children["Term"]
    get = lease.get
    end = term.get("end")
    return LeaseRecord(
        lease_id=(get("id") or "").strip() or required_text("Lease/@id", get("id")),
        contract_no=blank(get("contract")),
        status=STATUSES.get(get("status", ""))
        or enum_member("Lease/@status", get("status"), STATUSES),
        cadastre_no=blank(parcel.get("cadastre")),
        mahalla_code=blank(parcel.get("mahalla")),
        area_ha=area_of(parcel.get("areaHa")),
        purpose=PURPOSES.get(parcel.get("purpose", ""))
        or enum_member("Parcel/@purpose", parcel.get("purpose"), PURPOSES),
        crop=blank(parcel.get("crop")),
        lessee_kind=LESSEE_KINDS.get(lessee.get("kind", ""))
        or enum_member("Lessee/@kind", lessee.get("kind"), LESSEE_KINDS),
        lessee_pinfl=blank(lessee.get("pinfl")),
        lessee_tin=blank(lessee.get("tin")),
        lessee_name=blank(lessee.get("name")),
        starts_on=DATES.get(term.get("start")) or DATES.parse("Term/@start", term.get("start")),
        ends_on=(DATES.get(end) or DATES.parse("Term/@end", end)) if end else None,
        origin=origin,
    )


def area_of(value: str | None) -> Decimal:
    found = AREAS.get(value)
    return found if found is not None else AREAS.parse("Parcel/@areaHa", value)
