"""What the graph serves is printed with one apostrophe per role (issue 17): ʻ after o and
g, ʼ (the tutuq) elsewhere, whatever apostrophe the agency typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from hub.graph.models import Assistant, Delivery, District, Mahalla, Region
from hub.identity import normalise_name
from hub.identity.names.display import display_apostrophes
from pipelines.loading.context import LoadContext
from pipelines.loading.territory import load_assistants, load_mahallas
from pipelines.staging.schemas import STAGED_SCHEMAS

TYPED = ("'", "`", "\u2018", "\u2019", "\u02bb", "\u02bc", "\u00b4")
OTHER_APOSTROPHES = set("'`\u2018\u2019\u00b4")


@pytest.mark.parametrize("typed", TYPED)
def test_every_typed_apostrophe_is_printed_by_its_role(typed: str) -> None:
    text = f"O{typed}zbekiston, G{typed}ulom ko{typed}chasi, Ma{typed}rifat"
    assert display_apostrophes(text) == "Oʻzbekiston, Gʻulom koʻchasi, Maʼrifat"


def test_a_name_keeps_its_key_when_read_again_from_its_display() -> None:
    for typed in ("Ma'rifat Sa`dullayeva", "МАЪРИФАТ ҒУЛОМОВА", "G‘ulomov O’tkir"):
        name = normalise_name(typed)
        assert name is not None
        assert not OTHER_APOSTROPHES & set(name.latin)
        again = normalise_name(name.latin)
        assert again is not None and again.key == name.key
    ma_rifat = normalise_name("Ma'rifat Sa'dullayeva")
    assert ma_rifat is not None and "ʼ" in ma_rifat.latin and "ʻ" not in ma_rifat.latin


def _frame(table: str, **values: object) -> pl.DataFrame:
    row = {"record_key": "k1", "origin": "f.csv:2", "delivery_id": None, **values}
    return pl.DataFrame([row], schema=STAGED_SCHEMAS[table])


def test_the_register_is_loaded_with_printed_apostrophes(graph_db) -> None:  # type: ignore[no-untyped-def]
    mahallas = _frame(
        "registry_mahallas",
        region_soato="1730",
        region_name="Farg`ona viloyati",
        district_soato="1730202",
        district_name="Qo'qon tumani",
        mahalla_code="1730202001",
        mahalla_name="Bo’ston MFY",
        mahalla_stir="207123456",
    )
    assistants = _frame(
        "registry_assistants",
        record_key="A-1",
        assistant_id="A-1",
        full_name="to'xtasinov g'ayrat o`ktam o'g'li",
        phone="+998901234567",
        mahalla_code="1730202001",
        appointed_on=date(2022, 1, 1),
    )
    now = datetime.now(UTC)
    with graph_db.session() as session, session.begin():
        delivery = Delivery(source="registry", name="mahallas.csv")
        session.add(delivery)
        session.flush()
        ctx = LoadContext(session, "registry", delivery.id, "mahallas.csv", now, frozenset())
        load_mahallas(ctx, mahallas)
        load_assistants(ctx, assistants)
    with graph_db.session() as session:
        assert session.get(Region, "1730").name == "Fargʻona viloyati"  # type: ignore[union-attr]
        assert session.get(District, "1730202").name == "Qoʻqon tumani"  # type: ignore[union-attr]
        assert session.get(Mahalla, "1730202001").name == "Boʻston MFY"  # type: ignore[union-attr]
        assert session.get(Assistant, "A-1").full_name == (  # type: ignore[union-attr]
            "Toʻxtasinov Gʻayrat Oʻktam oʻgʻli"
        )
