"""Server-side SVG charts: well-formed, escaped, and drawn from the numbers given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from app.services.charts_svg import FAIL, PASS, bar_chart, kpi_chart, line_chart

NS = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_line_chart_points_and_target() -> None:
    points = [(T0 + timedelta(days=i), v) for i, v in enumerate([20.0, 60.0, 100.0])]
    root = parse(line_chart(points, title="A/01.3 <trend>", target=80.0))
    assert root.find(f"{NS}title").text == "A/01.3 <trend>"  # type: ignore[union-attr]
    circles = root.findall(f"{NS}circle")
    assert len(circles) == 3
    ys = [float(c.get("cy", "0")) for c in circles]
    assert ys[0] > ys[1] > ys[2]  # higher score, higher on the chart
    assert root.findall(f"{NS}line[@class='target']")


def test_line_chart_without_points_says_so() -> None:
    root = parse(line_chart([], title="empty"))
    assert any(t.text == "нет данных" for t in root.iter(f"{NS}text"))


def test_bar_chart_colours_against_threshold_and_escapes() -> None:
    svg = bar_chart([("ТД1", 90.0, "a&b"), ("ТД2", 40.0, "<x>"), ("ТД3", None, "")], title="t")
    root = parse(svg)
    fills = [r.get("fill") for r in root.findall(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert fills == [PASS, FAIL]
    assert "&lt;x&gt;" in svg and "a&amp;b" in svg


def test_kpi_chart_marks_missed_targets() -> None:
    values = [(T0, 5.0), (T0 + timedelta(days=1), 50.0)]
    root = parse(kpi_chart(values, 20.0, title="first response", direction="max"))
    assert [c.get("fill") for c in root.findall(f"{NS}circle")] == [PASS, FAIL]
    root = parse(kpi_chart(values, 20.0, title="csat", direction="min"))
    assert [c.get("fill") for c in root.findall(f"{NS}circle")] == [FAIL, PASS]
