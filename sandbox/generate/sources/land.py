"""land: lease snapshots (XML, UTF-8, decimal comma) of 1 June and 1 December of the base year
(leases_YYYY-06-01.xml, leases_YYYY-12-01.xml).

The newer snapshot is authoritative: it adds leases started after June, drops some (no
longer current) and changes others (terminated, area re-measured). Corruption is per Lease
element and keeps the file well-formed, since one broken tag would lose the whole snapshot.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from xml.sax.saxutils import quoteattr

import numpy as np

from sandbox.generate.context import WorldContext
from sandbox.generate.corruption import (
    BAD_DATE,
    BAD_NUMBER,
    MISSING_REQUIRED,
    UNKNOWN_ENUM,
    Corrupter,
)
from sandbox.generate.economy import ENTREPRENEUR, SELF_EMPLOYED
from sandbox.generate.mention_noise import MentionNoise
from sandbox.generate.name_forms import land_name
from sandbox.generate.name_lists import LEGAL_ENTITY_NAMES
from sandbox.generate.population import HEAD

SOURCE = "land"
CROPS = ("tomato", "cucumber", "potato", "onion", "wheat", "cotton", "apple", "grape", "apricot")
_AREA_HA = {"household_plot": (0.04, 0.25), "farming": (1.0, 30.0), "greenhouse": (0.1, 1.0),
            "orchard": (0.5, 5.0)}  # fmt: skip


@dataclass(frozen=True)
class _Lease:
    lease_id: str
    contract: str
    status: str
    cadastre: str
    mahalla_code: str
    area_ha: float
    purpose: str
    crop: str
    lessee_kind: str
    pinfl: str
    tin: str
    name: str
    start: np.datetime64


def write_land(ctx: WorldContext) -> None:
    leases = _plan_leases(ctx)
    rng = ctx.rng("land:changes")
    corrupter = Corrupter(ctx, SOURCE, (BAD_DATE, BAD_NUMBER, UNKNOWN_ENUM, MISSING_REQUIRED))
    snapshots = ctx.dates.land_snapshots
    older = [lease for lease in leases if lease.start < snapshots[0]]
    newer: list[_Lease] = []
    for lease in leases:
        if lease.start < snapshots[0]:
            if rng.random() < ctx.noise.lease_drop:
                continue
            if rng.random() < ctx.noise.lease_change:
                lease = _changed(lease, rng)
        newer.append(lease)
    for on, snapshot in zip(snapshots, (older, newer), strict=True):
        _write_snapshot(ctx, f"land/leases_{on}.xml", on, snapshot, corrupter)


def _changed(lease: _Lease, rng: random.Random) -> _Lease:
    if rng.random() < 0.5:
        return replace(lease, status="terminated")
    return replace(lease, area_ha=round(lease.area_ha * rng.uniform(0.8, 1.2), 2))


def _plan_leases(ctx: WorldContext) -> list[_Lease]:
    p, e = ctx.people, ctx.economy
    draw = ctx.nrng("land:plan").random(p.count)
    rural_plot = ~np.isnan(e.hh_plot_sotix)[p.household]
    household_plot = (p.relation == HEAD) & rural_plot & (draw < 0.06)
    business = np.isin(e.occupation, [SELF_EMPLOYED, ENTREPRENEUR]) & rural_plot & (draw < 0.25)
    rng = ctx.rng("land:values")
    noise = MentionNoise(ctx, SOURCE)
    leases: list[_Lease] = []
    for person in np.flatnonzero(household_plot | business).tolist():
        purpose = (
            "household_plot"
            if household_plot[person]
            else rng.choice(("farming", "greenhouse", "orchard"))
        )
        code = ctx.mahalla_code_of(person)
        lease = _new_lease(ctx, len(leases) + 1, code, purpose, rng)
        lease = replace(
            lease, lessee_kind="person", pinfl=noise.pinfl(person, allow_missing=False) or "",
            name=land_name(p.true_name(person), rng),
        )  # fmt: skip
        household = int(p.household[person])
        ctx.ledger.record(SOURCE, lease.lease_id, "person", person, household, code)
        leases.append(lease)
    tins = 200_000_000 + ctx.nrng("land:tins").choice(100_000_000, 2 * len(ctx.mahalla_codes))
    for index, code in enumerate(ctx.mahalla_codes * 2):
        if rng.random() < 0.5:
            continue
        lease = _new_lease(ctx, len(leases) + 1, code, rng.choice(("farming", "orchard")), rng)
        name = f"{rng.choice(LEGAL_ENTITY_NAMES)} MChJ"
        lease = replace(lease, lessee_kind="legal_entity", tin=str(tins[index]), name=name)
        ctx.ledger.record(SOURCE, lease.lease_id, "legal_entity", None, None, code)
        leases.append(lease)
    return leases


def _new_lease(
    ctx: WorldContext, number: int, code: str, purpose: str, rng: random.Random
) -> _Lease:
    start = ctx.dates.leases_start_from + rng.randrange(0, 640)
    low, high = _AREA_HA[purpose]
    cadastre = (
        f"17:{code[2:4]}:{code[5:7]}:{code[7:9]}:{code[9]}{rng.randrange(10)}:{number % 10000:04d}"
    )
    return _Lease(
        lease_id=f"LS-{number:07d}", contract=f"{number}/{str(start)[:4]}", status="active",
        cadastre=cadastre, mahalla_code=code, area_ha=round(rng.uniform(low, high), 2),
        purpose=purpose, crop="" if rng.random() < 0.3 else rng.choice(CROPS),
        lessee_kind="", pinfl="", tin="", name="", start=start,
    )  # fmt: skip


def _lease_xml(lease: _Lease, kind: str | None) -> tuple[str, str]:
    """The Lease element, damaged per `kind`, and a description of the damage."""
    area = f"{lease.area_ha:.2f}".replace(".", ",")
    status, purpose = lease.status, lease.purpose
    start, end = str(lease.start), str(lease.start + np.timedelta64(5 * 365, "D"))
    detail = ""
    if kind == BAD_NUMBER:
        area, detail = "0,1,2", "areaHa=0,1,2"
    elif kind == BAD_DATE:
        start = start[:5] + "02-30"
        detail = f"Term/@start={start}"
    elif kind == UNKNOWN_ENUM:
        status, detail = "frozen", "status=frozen"
    parcel = (
        f'    <Parcel cadastre="{lease.cadastre}" mahalla="{lease.mahalla_code}" '
        f'areaHa="{area}" purpose="{purpose}" crop="{lease.crop}"/>\n'
    )
    if kind == MISSING_REQUIRED:
        parcel, detail = "", "Parcel element missing"
    return (
        f'  <Lease id="{lease.lease_id}" contract="{lease.contract}" status="{status}">\n'
        f"{parcel}"
        f'    <Lessee kind="{lease.lessee_kind}" pinfl="{lease.pinfl}" tin="{lease.tin}" '
        f"name={quoteattr(lease.name)}/>\n"
        f'    <Term start="{start}" end="{end}"/>\n'
        "  </Lease>\n"
    ), detail


def _write_snapshot(
    ctx: WorldContext, relative: str, on: np.datetime64, leases: list[_Lease], corrupter: Corrupter
) -> None:
    path = ctx.delivery_path(SOURCE, relative)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(f'<LeaseExport generated="{on}T00:00:00+05:00">\n')
        for row_no, lease in enumerate(leases, start=1):
            kind = corrupter.pick()
            element, detail = _lease_xml(lease, kind)
            if kind is not None:
                corrupter.file(relative, row_no, lease.lease_id, kind, detail)
            f.write(element)
            ctx.ledger.delivered(SOURCE)
        f.write("</LeaseExport>\n")
