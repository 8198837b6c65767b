"""Every land field has a maximum length, checked while streaming (issue 14, item 8): a lease
holding a longer attribute value is rejected for it, the value is never held whole, and the
leases around it are read as usual; raw texts of land rejects are capped."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from connectors.land import LandConnector
from connectors.limits import FileLimits
from connectors.outcomes import Reject
from connectors.records import LeaseRecord
from connectors.xml_field_bound import FieldBound

if TYPE_CHECKING:
    from conftest import Kit

NAME = "leases_2022-12-01.xml"
LIMITS = FileLimits(max_field_bytes=1000, raw_chars=400)


def _read(folder: Path, data: bytes) -> tuple[list[LeaseRecord | Reject], list[str]]:
    (folder / NAME).write_bytes(data)
    reading = LandConnector(folder, limits=LIMITS).read_delivery(folder / NAME)
    outcomes = list(reading)
    assert reading.stats.completed
    return outcomes, reading.stats.warnings


def test_a_lease_with_an_attribute_over_the_bound_is_rejected_and_its_neighbours_read(
    tmp_path: Path, kit: Kit
) -> None:
    long_name = "Abdullayev " * 10_000  # 110,000 bytes, read in 16 KiB pieces
    bad = kit.lease_xml(2).replace('name="Abdullayev A. B."', f'name="{long_name}"')
    leases = [kit.lease_xml(1), bad, kit.lease_xml(3)]

    outcomes, warnings = _read(tmp_path, kit.leases_bytes(leases))

    assert [type(o) for o in outcomes] == [LeaseRecord, Reject, LeaseRecord]
    reject = outcomes[1]
    assert isinstance(reject, Reject)
    assert reject.record_key == "LS-0000002"
    assert reject.reason == (
        "Lessee/@name is 110,000 bytes long, more than the 1,000 bytes a field may have "
        "(HUB_MAX_FIELD_BYTES)"
    )
    assert reject.raw.startswith('<Lease id="LS-0000002"')
    assert 'name="[cut: 110000 bytes]"' in reject.raw
    assert len(reject.raw) <= 400
    assert warnings == []


def test_a_lease_id_over_the_bound_rejects_its_lease_without_a_key(
    tmp_path: Path, kit: Kit
) -> None:
    bad = kit.lease_xml(2).replace('id="LS-0000002"', f'id="{"L" * 5000}"')
    outcomes, _ = _read(tmp_path, kit.leases_bytes([bad, kit.lease_xml(3)]))
    reject = outcomes[0]
    assert isinstance(reject, Reject)
    assert reject.reason.startswith("Lease/@id is 5,000 bytes long")
    assert reject.record_key == "[cut: 5000 bytes]"
    assert isinstance(outcomes[1], LeaseRecord)


def test_a_root_attribute_over_the_bound_is_a_warning_and_every_lease_is_read(
    tmp_path: Path, kit: Kit
) -> None:
    data = kit.leases_bytes([kit.lease_xml(1), kit.lease_xml(2)])
    data = data.replace(
        b'generated="2022-12-01T00:00:00+05:00"', b'generated="' + b"9" * 3000 + b'"'
    )
    outcomes, warnings = _read(tmp_path, data)
    assert [type(o) for o in outcomes] == [LeaseRecord, LeaseRecord]
    assert warnings == [
        "LeaseExport/@generated is 3,000 bytes long, more than the 1,000 bytes a field may "
        "have (HUB_MAX_FIELD_BYTES); it was not read"
    ]


def test_quotes_and_brackets_in_comments_and_values_do_not_look_like_long_fields(
    tmp_path: Path, kit: Kit
) -> None:
    lease = kit.lease_xml(1).replace('name="Abdullayev A. B."', "name='Say \"hi\" > 1'")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- an "odd" comment -->\n'
        '<LeaseExport generated="2022-12-01T00:00:00+05:00"><?note "x" ?>'
        + lease
        + '<![CDATA[ " ]]></LeaseExport>\n'
    ).encode()
    outcomes, warnings = _read(tmp_path, body)
    (lease_record,) = outcomes
    assert isinstance(lease_record, LeaseRecord)
    assert lease_record.lessee_name == 'Say "hi" > 1'
    assert warnings == []


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64])
def test_the_bound_hands_on_the_same_document_in_pieces_of_any_size(piece: int) -> None:
    document = (
        b'<?xml version="1.0"?><!-- "a --><R a="1"><L id="x" v="'
        + b"y" * 100
        + b'" w=\'o"k\'><![CDATA[ "> ]]><?pi "x"?></L></R>'
    )
    bound = FieldBound(50)
    out = b"".join(bound.feed(document[i : i + piece]) for i in range(0, len(document), piece))
    out += bound.feed(b"")
    assert out == document.replace(b"y" * 100, b"[cut: 100 bytes]")
    (cut,) = bound.cuts
    assert (cut.element, cut.attribute, cut.length) == ("L", "v", 100)
    assert out[cut.offset : cut.offset + 5] == b"[cut:"


def test_a_broken_tail_on_a_long_line_keeps_a_capped_raw_text(tmp_path: Path, kit: Kit) -> None:
    data = kit.leases_bytes([kit.lease_xml(1)])
    data = data.replace(b"</LeaseExport>", b"<Lease " + b"x" * 100_000 + b"<")
    outcomes, _ = _read(tmp_path, data)
    tail = outcomes[-1]
    assert isinstance(tail, Reject) and "not well-formed" in tail.reason
    assert len(tail.raw) <= 400 and "bytes in all, sha256 " in tail.raw


def test_a_long_comment_or_instruction_is_read_only_to_the_bound_and_rejects_nothing(
    tmp_path: Path, kit: Kit
) -> None:
    comment = "<!--" + "ж-" * 5000 + "ж-->"  # 15,002 bytes; cut inside a character
    instruction = "<?note " + "x" * 3000 + "?>"
    lease = kit.lease_xml(1).replace("<Term", comment + instruction + "<Term")
    outcomes, warnings = _read(tmp_path, kit.leases_bytes([lease, kit.lease_xml(2)]))
    assert [type(o) for o in outcomes] == [LeaseRecord, LeaseRecord]
    assert warnings == [
        "a comment of 15,002 bytes is longer than the 1,000 bytes of HUB_MAX_FIELD_BYTES; "
        "only its beginning was read",
        "a processing instruction of 3,005 bytes is longer than the 1,000 bytes of "
        "HUB_MAX_FIELD_BYTES; only its beginning was read",
    ]


def test_a_cut_comment_stays_well_formed_in_pieces_of_any_size() -> None:
    document = "<R><!--ab" + "ж-" * 100 + "ж--></R>"
    for piece in (1, 2, 5, 64):
        bound = FieldBound(10)
        data = document.encode()
        out = b"".join(bound.feed(data[i : i + piece]) for i in range(0, len(data), piece))
        out += bound.feed(b"")
        assert out.decode().startswith("<R><!--abж-ж-ж") and out.endswith(b" --></R>")
        assert b"--->" not in out and len(out) < 30
