"""The land connector's fast path (canonical and plain leases found in bytes that expat has
checked) decides every snapshot as the general scanner does.

Each snapshot is read twice: by the connector as shipped and by the same connector reading
through the general scanner alone. Records (by repr, so value types count), rejects (reason,
key, raw text), stats and fatal errors must be identical, whether the fast path reads the
whole file or hands it over part way.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import connectors.land_fast as land_fast
import connectors.land_rules as land_rules
from connectors.errors import DeliveryFormatError
from connectors.file_source import FileDelivery
from connectors.land import LandConnector
from connectors.outcomes import DeliveryStats, Reject
from connectors.records import LeaseRecord

if TYPE_CHECKING:
    from conftest import Kit

NAME = "leases_2022-12-01.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<LeaseExport generated="2022-12-01T00:00:00+05:00">\n'
)
TAIL = "</LeaseExport>\n"


class GeneralLandConnector(LandConnector):
    def parse(self, delivery: FileDelivery, stats: DeliveryStats) -> Iterator[LeaseRecord | Reject]:
        return self._general_parse(delivery, stats)


def _outcome(connector: LandConnector, path: Path) -> tuple[Any, ...]:
    reading = connector.read_delivery(path)
    try:
        items = [f"{type(item).__name__} {item!r}" for item in reading]
    except DeliveryFormatError as exc:
        return ("fatal", str(exc))
    return ("read", items, repr(reading.stats))


def _same_both_ways(folder: Path, data: bytes) -> tuple[Any, ...]:
    path = folder / NAME
    path.write_bytes(data)
    fast = _outcome(LandConnector(folder), path)
    assert fast == _outcome(GeneralLandConnector(folder), path)
    return fast


def _pretty(n: int, **values: str) -> str:
    """A lease as the sandbox exports write it (indented, one child a line)."""
    v = {
        "id": f"LS-{n:07d}",
        "contract": f"{n}/2022",
        "status": "active",
        "cadastre": f"17:03:02:04:77:{n:04d}",
        "mahalla": "1703202047",
        "areaHa": f"0,{n % 90 + 10}",
        "purpose": "household_plot",
        "crop": "onion" if n % 3 else "",
        "kind": "person",
        "pinfl": "41506613521945",
        "tin": "",
        "name": "Xoliqova D. A.",
        "start": f"2021-0{n % 9 + 1}-14",
        "end": "2026-06-13",
    } | values
    return (
        f'  <Lease id="{v["id"]}" contract="{v["contract"]}" status="{v["status"]}">\n'
        f'    <Parcel cadastre="{v["cadastre"]}" mahalla="{v["mahalla"]}" '
        f'areaHa="{v["areaHa"]}" purpose="{v["purpose"]}" crop="{v["crop"]}"/>\n'
        f'    <Lessee kind="{v["kind"]}" pinfl="{v["pinfl"]}" tin="{v["tin"]}" '
        f'name="{v["name"]}"/>\n'
        f'    <Term start="{v["start"]}" end="{v["end"]}"/>\n'
        "  </Lease>\n"
    )


def _document(leases: list[str], head: str = HEAD, tail: str = TAIL) -> bytes:
    return (head + "".join(leases) + tail).encode()


def _many(count: int) -> list[str]:
    return [_pretty(n) for n in range(1, count + 1)]


def test_a_canonical_snapshot_is_read_by_the_fast_path_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _document(_many(300))  # several 16 KiB pieces
    general_reads: list[str] = []
    general = LandConnector._general_parse

    def watched(self: LandConnector, delivery: FileDelivery, stats: DeliveryStats) -> Any:
        general_reads.append(delivery.name)
        return general(self, delivery, stats)

    monkeypatch.setattr(LandConnector, "_general_parse", watched)
    outcome = _same_both_ways(tmp_path, data)
    assert general_reads == [NAME]  # only by the reference reading
    assert len(outcome[1]) == 300


# Leases (or text between leases) the fast path must either read as the general scanner
# does or hand over: broken rules, other layouts, escapes, comments, nesting, namespaces.
ODD_LEASES: list[str] = [
    _pretty(7, areaHa="1.5"),
    _pretty(7, areaHa="0,1,2"),
    _pretty(7, start="2022-02-30"),
    _pretty(7, end=""),
    _pretty(7, end="2031-12-31"),
    _pretty(7, status="expired"),
    _pretty(7, kind="company", pinfl="", tin="207654321"),
    _pretty(7, id=""),
    _pretty(7, id="   "),
    _pretty(7, id=" LS-7 ", crop="  ", name=" A>B "),
    _pretty(7, name="O&apos;zbek &amp; Co &#233;"),
    _pretty(7, name="Tab\there"),
    _pretty(7, name="Qo‘shbegi Ё ñ"),
    _pretty(1),  # a repeated lease id
    '  <Lease id="LS-8" contract="8/2022" status="active">\n'
    '    <Lessee kind="person" pinfl="1" tin="" name="No Parcel"/>\n'
    '    <Term start="2022-01-01" end="2027-01-01"/>\n  </Lease>\n',
    '  <Lease status="active" id="LS-9" contract="9/2022"><Term end="2027-01-01" '
    'start="2022-01-01"/><Lessee name="N" kind="person" pinfl="" tin=""/>'
    '<Parcel crop="" purpose="farming" areaHa="1,5" mahalla="1" cadastre="1"/>'
    '<Parcel crop="x" purpose="nonsense" areaHa="9" mahalla="2" cadastre="2"/>'
    '<Extra a="1"/></Lease>\n',
    _pretty(10).replace('status="active">', 'status="active" extra="1">'),
    _pretty(11).replace("<Lease ", "<Lease  "),
    _pretty(12).replace('"/>\n    <Term', '" />\n    <Term'),
    _pretty(13).replace('contract="13/2022"', "contract='13/2022'"),
    _pretty(14).replace("</Lease>", "<!-- note --></Lease>"),
    _pretty(15).replace("<Term", "<![CDATA[<Lease>]]><Term"),
    _pretty(16).replace("</Lease>", "text</Lease>"),
    _pretty(17).replace('crop="onion"/>', 'crop="onion"><Inner/></Parcel>'),
    _pretty(18).replace("<Term", '<Lease id="LS-inner" contract="" status="active"/><Term'),
    _pretty(19).replace("<Term", '<Lease id="LS-inner2" status="x"><Term/></Lease><Term'),
    '  <Lease id="LS-20" contract="" status="active"/>\n',
    _pretty(21).replace("<Lease ", '<Lease xmlns:a="urn:a" '),
    _pretty(22).replace("<Lease ", '<Lease xml:lang="uz" '),
    _pretty(23)
    .replace("<Term ", '<a:Term xmlns:a="urn:a" ')
    .replace('end="2026-06-13"/>', 'end="2026-06-13"/>'),
    "  <!-- a comment between leases -->\n",
    "  <?pi between leases?>\n",
    "  <Other/>\n",
    "  text between leases\n",
    _pretty(24).replace("\n    <Parcel", "\r\n\t <Parcel"),
    _pretty(25, name="x" * 70_000),  # longer than the fast path waits for
]


@pytest.mark.parametrize("odd", ODD_LEASES, ids=[repr(odd)[:50] for odd in ODD_LEASES])
@pytest.mark.parametrize("where", [0, 60, 299])
def test_odd_leases_are_decided_as_by_the_general_scanner(
    tmp_path: Path, odd: str, where: int
) -> None:
    leases = _many(300)
    leases.insert(where, odd)
    _same_both_ways(tmp_path, _document(leases))


@pytest.mark.parametrize("shift", range(0, 400, 23))
def test_every_cut_of_the_pieces_through_a_lease_reads_the_same(tmp_path: Path, shift: int) -> None:
    """Padding the root's start tag moves every 16 KiB boundary through the leases; rejected
    leases near the boundaries keep their delivered text."""
    head = HEAD.replace('generated="', f'pad="{"x" * shift}" generated="')
    leases = [_pretty(n, areaHa="0,1,2") if n % 5 == 0 else _pretty(n) for n in range(1, 200)]
    outcome = _same_both_ways(tmp_path, _document(leases, head=head))
    rejects = [line for line in outcome[1] if line.startswith("Reject")]
    assert len(rejects) == 39
    assert all("raw='<Lease id=" in line for line in rejects)


def test_a_reject_whose_start_tag_is_cut_by_a_read_keeps_its_text(tmp_path: Path) -> None:
    """The general scanner once lost the text of a lease whose start tag straddled two reads."""
    lease = _pretty(5, areaHa="0,1,2")
    filler = _many(4)
    unpadded = _document([*filler, lease]).index(b'<Lease id="LS-0000005"')
    pad = (1 << 14) - 8 - unpadded - len(' pad=""')  # the read's end 8 bytes into the tag
    head = HEAD.replace('generated="', f'pad="{"x" * pad}" generated="')
    data = _document([*filler, lease], head=head)
    assert data.index(b'<Lease id="LS-0000005"') == (1 << 14) - 8
    outcome = _same_both_ways(tmp_path, data)
    assert f"raw={lease.strip()!r}" in outcome[1][-1]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        _document(_many(3)).replace(b"</LeaseExport>\n", b""),  # truncated
        _document(_many(100))[:-500],
        _document(_many(100)) + b"<junk/>",
        _document(_many(100)) + b"<!-- after -->\n<?pi?>\n",
        _document(_many(3)).replace(b"</LeaseExport>", b"</LeaseExport >"),
        _document(_many(3), head=HEAD.replace("<LeaseExport ", "<Export ")),
        _document(_many(3), head=HEAD.replace("<LeaseExport ", '<LeaseExport xmlns="urn:x" ')),
        _document(_many(3), head=HEAD.replace("<LeaseExport ", '<LeaseExport xmlns:a="urn:a" ')),
        _document([], head=HEAD.replace('00">', '00"/>'), tail=""),
        _document([]),
        _document(_many(3), head='<!DOCTYPE LeaseExport [<!ENTITY a "b">]>\n' + HEAD[39:]),
        _document(_many(3), head="<!-- " + "c" * 70_000 + " -->\n" + HEAD[39:]),
        _document(_many(3), head="\ufeff" + HEAD),
        _document(_many(3), head=HEAD.replace("UTF-8", "utf-8")),
        _document(_many(3), head=HEAD.replace('version="1.0" ', "")),
        _document(_many(3), head=HEAD[39:]),
        (HEAD.replace("UTF-8", "windows-1251") + _pretty(1, name="Абдуллаев") + TAIL).encode(
            "cp1251"
        ),
        (HEAD.replace("UTF-8", "ISO-8859-1") + _pretty(1, name="Ñandú") + TAIL).encode("latin-1"),
        (HEAD.replace("UTF-8", "UTF-16") + _pretty(1) + TAIL).encode("utf-16"),
        _document([_pretty(1, name="Абдуллаев")]).replace("Абдуллаев".encode(), b"\xc0\xc1"),
        _document([_pretty(1, name="bell\x07")]),
        _document(_many(3)).replace(
            b'id="LS-0000002" contract', b'id="LS-0000002" id="x" contract'
        ),
    ],
)
def test_odd_snapshots_end_as_with_the_general_scanner(tmp_path: Path, data: bytes) -> None:
    _same_both_ways(tmp_path, data)


SNIPPETS = [
    b"",
    b" ",
    b"\n",
    b"<",
    b">",
    b"/>",
    b'"',
    b"&amp;",
    b"&",
    b"<!-- c -->",
    b"<X/>",
    b"</Lease>",
    b'<Lease id="LS-x" contract="" status="active">',
    b"<Lease/>",
    b'="1"',
    b' extra="2"',
    b"\t",
    b"\xd0",
    b"\x00",
    b"]]>",
    b"<Term/>",
    b'areaHa="0,5"',
    b'status="closed"',
]


def _mutated(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.3:
            data = data[:at] + data[at + rng.randint(1, 40) :]
        elif choice < 0.8:
            data = data[:at] + rng.choice(SNIPPETS) + data[at:]
        else:
            data = data[:at] + data[at : at + rng.randint(1, 300)] + data[at:]
    return data


@pytest.mark.parametrize("seed", range(8))
def test_randomly_bent_snapshots_end_as_with_the_general_scanner(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    base = _document(_many(120))
    for _ in range(40):
        _same_both_ways(tmp_path, _mutated(rng, base))


def test_the_kits_compact_leases_are_read_alike(tmp_path: Path, kit: Kit) -> None:
    leases = [kit.lease_xml(n) for n in range(1, 200)]
    leases[50] = kit.lease_xml(51, area="1.5")
    leases[120] = kit.lease_xml(121, purpose="nonsense")
    outcome = _same_both_ways(tmp_path, kit.leases_bytes(leases))
    assert len(outcome[1]) == 199


def test_the_fast_path_rebuilds_dicts_as_the_checked_rules_expect() -> None:
    """Canonical values by position give `_lease`'s answer on the values as dicts."""
    values = [
        "LS-1",
        "1/2022",
        "active",
        "17:03",
        "1703202015",
        "0,12",
        "household_plot",
        "tomato",
        "person",
        "31503851234566",
        "",
        "A. B.",
        "2022-03-01",
        "2027-02-28",
    ]
    origin = land_rules.new_origin(NAME, 1, None)
    lease = dict(zip(("id", "contract", "status"), values[:3], strict=True))
    assert land_fast._canonical_lease(values, origin) == land_rules.lease_of(
        lease, land_fast._canonical_children(values), origin
    )


@pytest.mark.parametrize(
    "character",
    [
        b"\xed\xa0\x80",  # a surrogate
        b"\xef\xbf\xbe",  # not a character
        b"\xf4\x90\x80\x80",  # beyond U+10FFFF
        b"\xf0\x9f\x98\x80",  # outside the BMP
        b"\x7f",
        b"\xc2\x85",  # NEL, a line end only in XML 1.1
        b"\xe2\x80\xa8",
        b"\x0b",
        b"\x0c",
    ],
)
def test_odd_characters_in_a_value_read_alike(tmp_path: Path, character: bytes) -> None:
    data = _document([_pretty(1, name="AB"), *_many(100)])
    _same_both_ways(tmp_path, data.replace(b'name="AB"', b'name="A' + character + b'B"'))
