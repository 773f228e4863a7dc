"""The region report's charts place their plot once, from measured text (reports/chart_layout.py).

Nothing clipped and no two labels overlapping are checked for every chart in test_charts.py; here: the measures
the layout is made of agree with what Matplotlib draws, and the report's charts really skip the layout engine.
"""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from conftest import SAMPLE
from smartcity_eval.reports import chart_layout as cl
from smartcity_eval.reports import charts
from smartcity_eval.reports import region_report as rr
from smartcity_eval.reports.html import figure_html


def drawn_width(text: str, size: float, weight: str = "normal") -> float:
    """The width in points of ``text`` as Matplotlib draws it at 720 dpi (where hinting no longer matters)."""
    with charts.apply_style():
        fig = Figure(figsize=(8, 1), dpi=720)
        label = fig.text(0, 0.5, text, fontsize=size, fontweight=weight)
        renderer = FigureCanvasAgg(fig).get_renderer()
        return label.get_window_extent(renderer).width * 72 / fig.dpi


@pytest.mark.parametrize(
    ("text", "size", "weight"), [("Smart Environment", 8, "normal"), ("Quick Wins", 9, "normal"), ("3,60", 8, "bold")]
)
def test_text_width_is_the_drawn_width_with_the_hinting_allowance(text, size, weight):
    with charts.apply_style():
        measured = cl.text_width([text], size, weight)
    assert measured == pytest.approx(drawn_width(text, size, weight) * cl.HINTING, rel=0.01)


def test_text_width_is_the_widest_line_of_the_widest_text():
    with charts.apply_style():
        widest = cl.text_width(["OP-03 · Fungsi Tim Pelaksana\nSmart City", "QW-02 · Daya tarik"], 7.5)
        first_line = cl.text_width(["OP-03 · Fungsi Tim Pelaksana"], 7.5)
    assert widest == first_line


def test_margins_in_points_become_the_plot_position():
    fig = Figure(figsize=(4, 2))  # 288 x 144 points
    ax = fig.subplots()
    cl.Margins(left=72, right=36, bottom=18, top=9).apply(fig)
    assert [round(v, 4) for v in ax.get_position().bounds] == [0.25, 0.125, 0.625, 0.8125]


def test_stacked_plots_keep_the_gap_between_them():
    fig = Figure(figsize=(4, 4))  # 288 points high
    top, bottom = fig.subplots(2, 1)
    cl.Margins(bottom=30, top=10, between=20).apply(fig, rows=2)
    gap = (top.get_position().y0 - bottom.get_position().y1) * 288
    assert gap == pytest.approx(20)


def test_a_bottom_legend_fits_its_room_closely_and_sits_on_the_pad():
    with charts.apply_style():
        fig = Figure(figsize=(6, 3))
        fig.subplots()
        handles = [Patch(facecolor=c) for c in ("red", "green", "blue", "black")]
        cl.bottom_legend(fig, handles, ["Baseline", "Output", "Outcome", "Impact"], ncols=2)
        renderer = FigureCanvasAgg(fig).get_renderer()
        box = fig.legends[0].get_window_extent(renderer)
    assert cl.legend_height(2, 8) - 3 <= box.height * 72 / fig.dpi <= cl.legend_height(2, 8)
    assert box.y0 * 72 / fig.dpi == pytest.approx(cl.PAD, abs=0.01)


@pytest.fixture(scope="module")
def padang_panjang() -> rr.RegionReport:
    return rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)


def region_charts(r: rr.RegionReport) -> dict[str, charts.Chart]:
    """The six charts of a region report, as the report draws them."""
    cur = pd.Series({k: float(v) for k, v in r.card.dimensions.items()})
    prev = pd.Series({k: float(v) for k, v in r.previous.dimensions.items()})
    realisation = {
        kind: table.drop(index="overall").assign(percent=lambda d: d["percent"].map(float))
        for kind, table in (("programme", r.card.programmes), ("action_plan", r.card.action_plan))
    }
    return {
        "radar": charts.radar(cur, prev, lang=r.lang, year=r.card.year),
        "bars": charts.dimension_bars(cur, r.median.reindex(cur.index).astype(float), lang=r.lang, year=r.card.year),
        **{k: charts.realisation_bars(t, kind=k, lang=r.lang, year=r.card.year) for k, t in realisation.items()},
        "trajectory": charts.trajectory(r.history, lang=r.lang, year=r.card.year),
        "uplift": charts.uplift_bars(rr.uplift_table(r), lang=r.lang, year=r.card.year),
    }


@pytest.mark.parametrize("name", ["radar", "bars", "programme", "action_plan", "trajectory", "uplift"])
def test_a_region_report_chart_is_drawn_without_a_layout_engine(padang_panjang, name):
    assert region_charts(padang_panjang)[name].figure.get_layout_engine() is None


def test_the_cohort_charts_keep_constrained_layout():
    finals = pd.DataFrame(
        {"region": ["A", "B", "C"], "category": ["kota", "kota", "kota"], "nilai_final": [2.1, 2.5, 3]}
    )
    chart = charts.distribution(finals)
    assert type(chart.figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"


def test_the_report_embeds_the_whole_page_wide_figure_uncropped(padang_panjang):
    html = figure_html(region_charts(padang_panjang)["uplift"], "x")
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1))
    width = re.search(rb'<svg[^>]* width="([0-9.]+)pt"', svg).group(1)
    assert float(width) == pytest.approx(16 / 2.54 * 72, abs=0.1)
