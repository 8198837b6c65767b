"""The monthly monitoring report per region: one file per region and month, one section per
district with the stored figures, a defined page for an empty district and an empty month."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import html
from sqlalchemy import update

from hub.diagnostics.monthly_store import refresh_monthly_indicators
from hub.diagnostics.report_cache import ChartCache
from hub.diagnostics.report_html import CHARTS, report_path, shown, write_region_reports
from hub.graph.bulk import upsert_rows
from hub.graph.models import District, MonthlyIndicator
from tests.hub.diagnostics.test_monthly import FEB, JAN, M1, M3, _surveyed, build

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

EMPTY_DISTRICT = "1703299"


def _reports(
    graph_db: GraphDatabase, folder: Path, months: list[date], charts: ChartCache | None = None
) -> list[Path]:
    with graph_db.session() as session, session.begin():
        w = build(session)
        for name, on in (("a", JAN), ("b", JAN), ("c", FEB)):
            _surveyed(w, name, on)
        upsert_rows(
            session,
            District,
            [{"code": EMPTY_DISTRICT, "region_code": "1703", "name": "No mahallas"}],
            key=["code"],
        )
        refresh_monthly_indicators(session, date(2022, 2, 28))
    with graph_db.session() as session:
        return write_region_reports(session, folder, months, charts)


def _figures(section: html.HtmlElement) -> dict[str, tuple[str, str]]:
    return {
        row.get("data-figure"): tuple(cell.text_content() for cell in row.findall("td")[1:])
        for row in section.xpath(".//tr[@data-figure]")
    }


def test_one_section_per_district_with_the_stored_figures(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    files = _reports(graph_db, tmp_path, [FEB])
    assert files == [report_path(tmp_path, "1703", FEB)]
    page = html.fromstring(files[0].read_text(encoding="utf-8"))
    sections = page.xpath("//section[@class='district']")
    assert [s.get("data-district") for s in sections] == ["1703202", "1703203", EMPTY_DISTRICT]
    first, second, empty = sections
    # District 1703202 (M1 and M2) in February, January beside it: M1's two households (3
    # people), b1 placed in February, two loans of 32,000,000 UZS, one appeal resolved in
    # 2 days, one person known to the tax agency only.
    figures = _figures(first)
    assert figures["households"] == ("2", "2")
    assert figures["population"] == ("3", "3")
    assert figures["placed"] == ("1", "0")
    assert figures["loans.sum_uzs"] == ("32,000,000", "0")
    assert figures["appeals.resolution_rate"] == ("100.0%", "–")
    assert figures["appeals.median_days"] == ("2", "–")
    assert figures["not_surveyed"] == ("1", "0")
    # District 1703203 (M3): AP2 resolved, AP3 open of February's; AP4 was January's.
    assert _figures(second)["appeals.received"] == ("2", "1")
    assert _figures(second)["appeals.resolution_rate"] == ("50.0%", "0.0%")
    # Charts are inline SVG images: the file needs nothing beside it.
    images = first.xpath(".//img")
    assert len(images) == 3
    for image in images:
        uri = image.get("src")
        assert uri.startswith("data:image/svg+xml;base64,")
        assert b"<svg" in base64.b64decode(uri.split(",", 1)[1])
    mahallas = [row.text_content() for row in first.xpath(".//table[@class='mahallas']//td[1]")]
    assert mahallas == [f"MFY {M1} ({M1})", "MFY 1703202002 (1703202002)"]
    assert empty.xpath(".//p[@class='empty']")[0].text_content() == (
        "This district has no mahallas: no figures."
    )
    assert not empty.xpath(".//table") and not page.xpath("//*[@id='no-figures']")
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="2022-02/region-1703.html"' in index


def test_a_month_with_no_figures_has_a_page_per_district_that_says_so(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    june = date(2021, 6, 1)
    (path,) = _reports(graph_db, tmp_path, [june])
    page = html.fromstring(path.read_text(encoding="utf-8"))
    notice = " ".join(page.xpath("//*[@id='no-figures']")[0].text_content().split())
    assert notice == "No figures were computed for 2021-06 in this region."
    sections = page.xpath("//section[@class='district']")
    assert len(sections) == 3
    assert [s.xpath(".//p[@class='empty']")[0].text_content() for s in sections[:2]] == [
        "No figures for 2021-06."
    ] * 2
    assert not page.xpath("//img")


def test_figures_are_shown_as_a_reader_expects() -> None:
    assert shown("appeals.resolution_rate", 2 / 3) == "66.7%"
    assert shown("loans.sum_uzs", 1_234_567.0) == "1,234,567"
    assert shown("land.hectares", 2.25) == "2.2"
    assert shown("appeals.median_days", None) == "–"
    assert M3  # the world's third mahalla is the second district's


def test_the_same_figures_give_the_same_file(graph_db: GraphDatabase, tmp_path: Path) -> None:
    (first,) = _reports(graph_db, tmp_path / "a", [FEB])
    with graph_db.session() as session:
        (second,) = write_region_reports(session, tmp_path / "b", [FEB])
    assert first.read_bytes() == second.read_bytes()


def test_a_rebuild_draws_only_the_charts_whose_figures_changed(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    first = ChartCache(tmp_path / CHARTS)
    (path,) = _reports(graph_db, tmp_path, [FEB], first)
    # Two districts with figures, three charts each; the empty district draws none.
    assert (first.drawn, first.reused) == (6, 0)
    before = path.read_bytes()
    written_at = path.stat().st_mtime_ns
    again = ChartCache(tmp_path / CHARTS)
    with graph_db.session() as session:
        write_region_reports(session, tmp_path, [FEB], again)
    assert (again.drawn, again.reused) == (0, 6)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == written_at
    # One figure of one district's jobs chart changes: that chart alone is drawn again.
    with graph_db.session() as session, session.begin():
        session.execute(
            update(MonthlyIndicator)
            .where(
                MonthlyIndicator.level == "district",
                MonthlyIndicator.code == "1703203",
                MonthlyIndicator.month_on == FEB,
                MonthlyIndicator.name == "placed",
            )
            .values(value=7.0)
        )
    changed = ChartCache(tmp_path / CHARTS)
    with graph_db.session() as session:
        write_region_reports(session, tmp_path, [FEB], changed)
    assert (changed.drawn, changed.reused) == (1, 5)
    assert path.read_bytes() != before
    assert _figures(html.fromstring(path.read_bytes()).xpath("//section")[1])["placed"][0] == "7"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert CHARTS not in index


def test_a_stored_chart_that_is_not_an_svg_is_drawn_again(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    (path,) = _reports(graph_db, tmp_path, [FEB])
    before = path.read_bytes()
    stored = sorted((tmp_path / CHARTS).glob("*.svg"))
    assert len(stored) == 6
    stored[0].write_text('<?xml version="1.0"?><svg', encoding="utf-8")  # cut short
    again = ChartCache(tmp_path / CHARTS)
    with graph_db.session() as session:
        write_region_reports(session, tmp_path, [FEB], again)
    assert (again.drawn, again.reused) == (1, 5)
    assert path.read_bytes() == before
    assert stored[0].read_text(encoding="utf-8").rstrip().endswith("</svg>")
