"""A region partition's candidate lookups read its own region's records, not the country's.

Each region run links its deliveries against its region's records only
(`pipelines.linking.candidates`). When that narrowing was a LIKE on the mahalla code's
prefix, PostgreSQL (collation C.UTF-8) could not search an index with it: every lookup
read the whole `source_record` table, so a region's run slowed as the other regions'
records grew; and with the range an index can search, PostgreSQL still read the whole
table once a region was a quarter of it (`pipelines.linking.region_scans`). On PostgreSQL,
with the records of four regions in the graph, the lookups of one region's keys must read
`source_record` only through an index.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from sqlalchemy import String, insert, literal, select, text

from hub.graph.models import SourceRecord
from hub.graph.scratch import drop, scratch_table
from pipelines.linking.candidates import _lookups
from pipelines.linking.lookups import KEYS
from pipelines.linking.region_scans import lookup_plans
from pipelines.regions.codes import REGION_CODES, code_in_region

PER_REGION = 3000
REGIONS = REGION_CODES[:4]
REGION = REGIONS[1]
SURNAMES = [f"surname{n}" for n in range(60)]
SETTINGS = ("enable_seqscan", "jit")
GIVEN = [f"given{n}" for n in range(40)]


def _record(region: str, n: int) -> dict[str, object]:
    born = date(1950, 1, 1) + timedelta(days=(n * 37) % 20000)
    surname, given = SURNAMES[n % len(SURNAMES)], GIVEN[n % len(GIVEN)]
    pinfl = f"3{born:%d%m%y}{region[2:]}{n:05d}"[:14]
    return {
        "source": "survey",
        "record_key": f"{region}-{n}",
        "kind": "person",
        "pinfl": pinfl,
        "full_name": f"{surname} {given}",
        "name_key": f"{surname}|{given}|",
        "surname_key": surname,
        "birth_on": born,
        "birth_year": born.year,
        "mahalla_code": f"{region}202{n % 50:03d}",
        "passport": f"AA{n:07d}",
        "passport_key": f"AA{n:07d}",
        "phone_key": f"9{n:08d}",
    }


def _keys(rows: list[dict[str, object]]) -> pl.DataFrame:
    """The lookups' keys of `rows` (as `candidates.incoming_keys` gives them)."""
    return pl.DataFrame(
        [
            {
                "pinfl": r["pinfl"],
                "passport": r["passport_key"],
                "phone": r["phone_key"],
                "tin": None,
                "surname_key": r["surname_key"],
                "given_key": str(r["name_key"]).split("|")[1],
                "given_initial": str(r["name_key"]).split("|")[1][:1],
                "undated_initial": None,
                "pinfl_head": str(r["pinfl"])[:7],
                "pinfl_tail": str(r["pinfl"])[7:],
                "born_ddmmyy": f"{r['birth_on']:%d%m%y}",
                "birth_on": r["birth_on"],
                "region": REGION,
                "mahalla_code": r["mahalla_code"],
            }
            for r in rows
        ],
        schema_overrides={"tin": pl.String, "undated_initial": pl.String},
    )


@pytest.mark.postgres
def test_region_lookups_read_source_record_through_an_index(graph_db) -> None:  # type: ignore[no-untyped-def]
    if graph_db.backend != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    with graph_db.session() as session, session.begin():
        for region in REGIONS:  # a region's records together, as its run loads them
            session.execute(insert(SourceRecord), [_record(region, n) for n in range(PER_REGION)])
        session.execute(text("ANALYZE source_record"))
        incoming = [_record(REGION, n) for n in range(0, PER_REGION, 10)]
        keys = scratch_table(session, KEYS, _keys(incoming))
        query = _lookups(keys, REGION)
        sql = str(
            query.compile(
                dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
            )
        )
        before = [session.execute(text(f"SHOW {name}")).scalar_one() for name in SETTINGS]
        with lookup_plans(session, REGION):
            plan = "\n".join(session.execute(text(f"EXPLAIN {sql.replace('%%', '%')}")).scalars())
            found = session.execute(query).all()
            inside = [session.execute(text(f"SHOW {name}")).scalar_one() for name in SETTINGS]
        # Restored after the block: the rest of the transaction is planned as before.
        after = [session.execute(text(f"SHOW {name}")).scalar_one() for name in SETTINGS]
        drop(session, keys)
    assert "source_record" in plan
    assert "Seq Scan on source_record" not in plan, plan
    assert inside == ["off", "off"]
    assert after == before
    # Every record found is of the region, and the region's own incoming records are.
    assert {row.mahalla_code[:4] for row in found} == {REGION}
    assert {f"{REGION}-{n}" for n in range(0, PER_REGION, 10)} <= {r.record_key for r in found}


@pytest.mark.parametrize(
    ("code", "region", "inside"),
    [
        ("1703202015", "1703", True),
        ("1703", "1703", True),
        ("1704202015", "1703", False),
        ("1702999999", "1703", False),
        ("1799202015", "1799", True),
        ("1800202015", "1799", False),
    ],
)
def test_code_in_region_is_the_prefix(graph_db, code: str, region: str, inside: bool) -> None:  # type: ignore[no-untyped-def]
    with graph_db.session() as session:
        found = session.scalar(select(code_in_region(literal(code, String(10)), region)))
    assert bool(found) is inside
