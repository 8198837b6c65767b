"""The land connector: decimal commas, broken XML, unsafe XML, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from connectors import land_rules
from connectors.errors import DeliveryFormatError
from connectors.fields import FieldError
from connectors.land import LandConnector
from connectors.outcomes import Reject
from connectors.records import LeaseRecord, Origin
from connectors.vocabulary import LandPurpose, LesseeKind

if TYPE_CHECKING:
    from conftest import Kit


def test_lease_is_parsed_with_decimal_comma_area(tmp_path: Path, kit: Kit) -> None:
    (tmp_path / "leases_2022-12-01.xml").write_bytes(kit.leases_bytes([kit.lease_xml(1)]))
    [lease] = next(iter(LandConnector(tmp_path).read_all()))
    assert isinstance(lease, LeaseRecord)
    assert lease.area_ha == Decimal("0.12")
    assert (lease.purpose, lease.lessee_kind, lease.lessee_tin) == (
        LandPurpose.HOUSEHOLD_PLOT,
        LesseeKind.PERSON,
        None,
    )
    assert str(lease.origin) == "leases_2022-12-01.xml:1"


def test_decimal_point_in_area_is_rejected_naming_the_rule(tmp_path: Path, kit: Kit) -> None:
    (tmp_path / "leases_2022-12-01.xml").write_bytes(kit.leases_bytes([kit.lease_xml(1, "0.12")]))
    [reject] = next(iter(LandConnector(tmp_path).read_all()))
    assert isinstance(reject, Reject)
    assert reject.reason == "Parcel/@areaHa '0.12' uses a decimal point; the contract uses a comma"
    assert reject.record_key == "LS-0000001"
    assert reject.raw.startswith('<Lease id="LS-0000001"')


def test_broken_xml_keeps_the_well_formed_part_and_rejects_the_rest(
    tmp_path: Path, kit: Kit
) -> None:
    data = kit.leases_bytes([kit.lease_xml(n) for n in range(1, 4)])
    cut = data.index(b'<Lease id="LS-0000003"') + 60
    (tmp_path / "leases_2022-12-01.xml").write_bytes(data[:cut] + b"<<garbage")
    reading = LandConnector(tmp_path).read_delivery(tmp_path / "leases_2022-12-01.xml")
    items = list(reading)
    assert [type(x) for x in items] == [LeaseRecord, LeaseRecord, Reject]
    tail = items[-1]
    assert isinstance(tail, Reject)
    assert tail.record_key == "LS-0000003"
    assert "not well-formed" in tail.reason
    assert "2 leases before it were read" in tail.reason
    assert reading.stats.errors == [tail.reason]
    assert reading.stats.delivered == 3
    assert reading.stats.completed


def test_xml_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;">]><LeaseExport>&b;</LeaseExport>'
    )
    (tmp_path / "leases_2022-12-01.xml").write_bytes(bomb)
    with pytest.raises(DeliveryFormatError, match="refused for safety"):
        list(LandConnector(tmp_path).read_delivery(tmp_path / "leases_2022-12-01.xml"))


def test_wrong_root_element_is_fatal(tmp_path: Path) -> None:
    (tmp_path / "leases_2022-12-01.xml").write_bytes(b"<Leases></Leases>")
    with pytest.raises(DeliveryFormatError, match="root element is <Leases>"):
        list(LandConnector(tmp_path).read_delivery(tmp_path / "leases_2022-12-01.xml"))


def test_empty_xml_file_warns(tmp_path: Path) -> None:
    (tmp_path / "leases_2022-12-01.xml").write_bytes(b"")
    reading = LandConnector(tmp_path).read_delivery(tmp_path / "leases_2022-12-01.xml")
    assert list(reading) == []
    assert reading.stats.warnings
    assert not reading.stats.errors


def test_newest_snapshot_and_vanished_leases(tmp_path: Path, kit: Kit) -> None:
    old = [kit.lease_xml(1), kit.lease_xml(2), kit.lease_xml(3)]
    new = [kit.lease_xml(1), kit.lease_xml(3, area="bad"), kit.lease_xml(4)]
    (tmp_path / "leases_2022-11-01.xml").write_bytes(kit.leases_bytes(old))
    (tmp_path / "leases_2022-12-01.xml").write_bytes(kit.leases_bytes(new))
    connector = LandConnector(tmp_path)
    previous, current = connector.list_deliveries()
    assert connector.newest_delivery() == current
    # lease 3 is rejected in the new snapshot but still present: only lease 2 vanished
    assert connector.vanished_leases(previous, current) == frozenset({"LS-0000002"})


def test_vanished_leases_refuses_a_broken_snapshot(tmp_path: Path, kit: Kit) -> None:
    (tmp_path / "leases_2022-11-01.xml").write_bytes(kit.leases_bytes([kit.lease_xml(1)]))
    (tmp_path / "leases_2022-12-01.xml").write_bytes(b"<LeaseExport><Lease id=")
    connector = LandConnector(tmp_path)
    previous, current = connector.list_deliveries()
    with pytest.raises(DeliveryFormatError, match="not well-formed"):
        connector.vanished_leases(previous, current)


def _read_land(folder: Path, data: bytes) -> list[LeaseRecord | Reject]:
    (folder / "leases_2022-12-01.xml").write_bytes(data)
    return list(LandConnector(folder).read_delivery(folder / "leases_2022-12-01.xml"))


@pytest.mark.parametrize(
    "prolog",
    [
        # a billion-laughs bomb: nested entities, each ten times the one before
        b'<!DOCTYPE LeaseExport [<!ENTITY a0 "ha">'
        + b"".join(b'<!ENTITY a%d "%s">' % (n, b"&a%d;" % (n - 1) * 10) for n in range(1, 10))
        + b"]>",
        b'<!DOCTYPE LeaseExport [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE LeaseExport [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>',
        b'<!DOCTYPE LeaseExport SYSTEM "http://example.invalid/lease.dtd">',
        b'<!DOCTYPE LeaseExport [<!ATTLIST Lease status CDATA "active">]>',
    ],
    ids=["entity-bomb", "external-entity", "parameter-entity", "external-dtd", "attr-defaults"],
)
def test_xml_with_a_dtd_is_refused_before_anything_is_expanded(
    tmp_path: Path, kit: Kit, prolog: bytes
) -> None:
    body = kit.leases_bytes([kit.lease_xml(1)]).split(b"\n", 1)[1]
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + b"\n" + body
    with pytest.raises(DeliveryFormatError, match="refused for safety") as caught:
        _read_land(tmp_path, data)
    assert caught.value.delivery == "leases_2022-12-01.xml"


def test_undeclared_entity_reference_is_a_broken_tail_not_an_expansion(
    tmp_path: Path, kit: Kit
) -> None:
    lease = kit.lease_xml(2).replace('name="Abdullayev A. B."', 'name="&xxe;"')
    items = _read_land(tmp_path, kit.leases_bytes([kit.lease_xml(1), lease]))
    assert [type(x) for x in items] == [LeaseRecord, Reject]
    tail = items[-1]
    assert isinstance(tail, Reject)
    assert "not well-formed" in tail.reason
    assert "undefined entity" in tail.reason


def test_pretty_printed_leases_with_escapes_are_parsed(tmp_path: Path, kit: Kit) -> None:
    lease = (
        '<Lease id="LS-1" contract="1/2022 &amp; 2/2022" status="active">\n'
        '      <Parcel cadastre="17:03" mahalla="1703202015" areaHa="1,5"\n'
        '              purpose="farming" crop=""/>\n'
        '      <Lessee kind="legal_entity" pinfl="" tin="207123456" name="&#1040;gro MChJ"/>\n'
        '      <Term start="2022-03-01" end=""/>\n'
        "    </Lease>"
    )
    [record] = _read_land(tmp_path, kit.leases_bytes([lease]))
    assert isinstance(record, LeaseRecord)
    assert (record.contract_no, record.area_ha, record.crop) == (
        "1/2022 & 2/2022",
        Decimal("1.5"),
        None,
    )
    assert (record.lessee_kind, record.lessee_pinfl, record.lessee_tin) == (
        LesseeKind.LEGAL_ENTITY,
        None,
        "207123456",
    )
    assert (record.lessee_name, record.ends_on) == ("Аgro MChJ", None)


def test_reject_raw_is_the_delivered_text_even_across_read_chunks(tmp_path: Path, kit: Kit) -> None:
    # the bad lease at places where it straddles the parser's 16 KiB reads (53, 107, 161, 215)
    bad = kit.lease_xml(999, area="0.5").replace("><", ">\n    <")
    leases = [kit.lease_xml(n) for n in range(1, 400)]
    for position in (53, 107, 150, 161, 190, 210, 215, 230):
        items = _read_land(
            tmp_path, kit.leases_bytes([*leases[:position], bad, *leases[position:]])
        )
        rejects = [x for x in items if isinstance(x, Reject)]
        assert len(items) == 400
        assert [r.raw for r in rejects] == [bad]
        assert rejects[0].origin == f"leases_2022-12-01.xml:{position + 1}"


@pytest.mark.parametrize("cut", [1, 8, 30, 57])
def test_reject_raw_is_the_delivered_text_when_a_read_ends_inside_its_start_tag(
    tmp_path: Path, kit: Kit, cut: int
) -> None:
    """A start tag cut by a 16 KiB read is reported once the next read completes it; its
    first bytes must still be there for `raw` (they were once dropped, leaving raw empty)."""
    bad = kit.lease_xml(999, area="0,1,2")
    leases = [kit.lease_xml(n) for n in range(1, 50)]
    unpadded = kit.leases_bytes([*leases, bad]).index(b'<Lease id="LS-0000999"')
    pad = (1 << 14) - cut - unpadded
    data = kit.leases_bytes([*leases, bad]).replace(b"<LeaseExport ", b"<LeaseExport " + b" " * pad)
    assert data.index(b'<Lease id="LS-0000999"') == (1 << 14) - cut
    items = _read_land(tmp_path, data)
    rejects = [x for x in items if isinstance(x, Reject)]
    assert [(r.raw, r.record_key) for r in rejects] == [(bad, "LS-0000999")]


def test_empty_lease_element_is_rejected_with_its_own_text(tmp_path: Path, kit: Kit) -> None:
    empty = '<Lease id="LS-7" contract="a>b" status="active"/>'
    items = _read_land(tmp_path, kit.leases_bytes([empty, kit.lease_xml(8)]))
    reject, record = items
    assert isinstance(reject, Reject)
    assert isinstance(record, LeaseRecord)
    assert (reject.raw, reject.record_key) == (empty, "LS-7")
    assert reject.reason == "Lease has no <Parcel> element"


def test_namespaced_root_is_not_the_contract_root(tmp_path: Path, kit: Kit) -> None:
    data = kit.leases_bytes([kit.lease_xml(1)]).replace(
        b"<LeaseExport ", b'<LeaseExport xmlns="urn:x" '
    )
    with pytest.raises(DeliveryFormatError, match=r"root element is <\{urn:x\}LeaseExport>"):
        _read_land(tmp_path, data)


def _lease_parts() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    lease = {"id": "LS-1", "contract": "1/2022", "status": "active"}
    children = {
        "Parcel": {
            "cadastre": "17:03",
            "mahalla": "1703202015",
            "areaHa": "0,12",
            "purpose": "household_plot",
            "crop": "tomato",
        },
        "Lessee": {"kind": "person", "pinfl": "31503851234566", "tin": "", "name": "A. B."},
        "Term": {"start": "2022-03-01", "end": "2027-02-28"},
    }
    return lease, children


@pytest.mark.parametrize(
    ("element", "attribute", "value"),
    [
        ("Lease", "id", " "),
        ("Lease", "id", None),
        ("Lease", "contract", None),
        ("Lease", "contract", " "),
        ("Lease", "status", "expired"),
        ("Parcel", "areaHa", "1,2345"),
        ("Parcel", "areaHa", "1.5"),
        ("Parcel", "areaHa", None),
        ("Parcel", "purpose", None),
        ("Parcel", "crop", ""),
        ("Lessee", "kind", "company"),
        ("Lessee", "name", None),
        ("Term", "start", "2022-02-30"),
        ("Term", "end", ""),
        ("Term", "end", None),
        ("Term", "end", "2031-12-31"),
        ("Term", None, None),
    ],
)
def test_lease_fast_path_decides_as_the_checked_rules(
    element: str, attribute: str | None, value: str | None
) -> None:
    lease, children = _lease_parts()
    target = lease if element == "Lease" else children[element]
    if attribute is None:
        del children[element]
    elif value is None:
        del target[attribute]
    else:
        target[attribute] = value
    origin = Origin("leases_2022-12-01.xml", 1)

    def outcome(build: Callable[..., LeaseRecord]) -> LeaseRecord | str:
        try:
            return build(lease, children, origin)
        except FieldError as exc:
            return str(exc)

    assert outcome(land_rules.lease_of) == outcome(land_rules.checked_lease)
