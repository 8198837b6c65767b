"""Two region partitions linking at once, each founding a person with the same PINFL.

A person registered in one region and borrowing in another is founded by both regions'
loads (each links against its own region's records only). The PINFL is unique in the
graph: the region that commits second used to fail its whole load on the unique index
(seen in `benchmarks/bench_scale.py` at 100,000 people per region). Now it reads the held
PINFLs again and keeps its person without the PINFL, recorded as a `pinfl_shared`
conflict, for the country-wide step to merge (pipelines.linking.pinfl_claims).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, text

from hub.graph.models import Delivery, District, Mahalla, Person, PersonConflict, Region
from hub.identity.pinfl import pinfl_check_digit
from pipelines.linking.step import link_persons
from pipelines.loading.context import LoadContext
from tests.pipelines.linking.conftest import NOW, GroupResolver, add_mahalla, person_rows

OTHER_MAHALLA = "1735204001"
PINFL = "3150385123456" + str(pinfl_check_digit("3150385123456"))


def _add_other_region(session: Any) -> None:
    for row in (
        Region(code="1735", name="Qoraqalpog'iston Respublikasi"),
        District(code="1735204", region_code="1735", name="Nukus tumani"),
        Mahalla(code=OTHER_MAHALLA, district_code="1735204", name="Ayoz MFY", stir=None),
    ):
        session.add(row)
        session.flush()


def _link(session: Any, source: str, mahalla: str, key: str) -> None:
    """Link one mention of PINFL as a delivery of `source` in `mahalla`'s region."""
    delivery = Delivery(source=source, name=f"{source}-{key}", status="staged")
    session.add(delivery)
    session.flush()
    ctx = LoadContext(
        session, source, delivery.id, delivery.name, NOW, frozenset({mahalla}), region=mahalla[:4]
    )
    staged = person_rows(
        source,
        [
            {
                "record_key": key,
                "pinfl": PINFL,
                "full_name": "Abdullayev Akmal Baxtiyor o'g'li",
                "mahalla_code": mahalla,
            }
        ],
    )
    link_persons(ctx, staged, resolver=GroupResolver())


def _lock_waiters(graph_db: Any) -> int:
    with graph_db.engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
            or 0
        )


@pytest.mark.parametrize("graph_db", ["postgresql"], indirect=True)
def test_the_region_committing_second_keeps_its_person_without_the_pinfl(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        add_mahalla(session)
        _add_other_region(session)
    first_linked, release_first = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first_region() -> None:
        try:
            with graph_db.session() as session, session.begin():
                _link(session, "tax", "1703202015", "412345678")
                first_linked.set()
                # Committed only once the other region is waiting on the PINFL's index entry.
                assert release_first.wait(60)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
            first_linked.set()

    first = threading.Thread(target=first_region)
    first.start()
    assert first_linked.wait(60)
    assert not errors

    def release_when_second_waits() -> None:
        deadline = time.monotonic() + 60
        while _lock_waiters(graph_db) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        release_first.set()

    releaser = threading.Thread(target=release_when_second_waits)
    releaser.start()
    with graph_db.session() as session, session.begin():
        _link(session, "bank", OTHER_MAHALLA, "00873-2022-000123")
    releaser.join()
    first.join()
    assert not errors

    with graph_db.session() as session:
        persons = session.execute(select(Person.id, Person.pinfl, Person.mahalla_code)).all()
        kinds = session.scalars(select(PersonConflict.kind)).all()
    assert len(persons) == 2, "each region founds its own person before the country step"
    by_region = {mahalla[:4]: pinfl for _, pinfl, mahalla in persons}
    assert by_region == {"1703": PINFL, "1735": None}
    assert "pinfl_shared" in kinds
