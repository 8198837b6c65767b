"""The land connector: decimal commas, broken XML, unsafe XML, snapshots."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from connectors.errors import DeliveryFormatError
from connectors.land import LandConnector
from connectors.outcomes import Reject
from connectors.records import LeaseRecord
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
