"""The report charts: structure, one palette and order, no colliding labels, alt text with the values (no image
comparison)."""

from __future__ import annotations

import io
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from conftest import SAMPLE  # noqa: E402
from smartcity_eval.method import methodology as mth  # noqa: E402
from smartcity_eval.reports import charts  # noqa: E402
from smartcity_eval.reports import overview as ov  # noqa: E402
from smartcity_eval.reports import region_report as rr  # noqa: E402
from smartcity_eval.reports.html import figure_html  # noqa: E402
from smartcity_eval.results.cohort import DIMS  # noqa: E402

# Kab. Malang, published dimension scores 2023 and 2022 (Nilai Final 2.94)
MALANG_2023 = pd.Series(
    {"baseline": 3.60, "output": 2.29, "outcome": 3.41, "impact": 2.81, "quick_win": 3.13, "kolaborasi": 2.53}
)
MALANG_2022 = pd.Series({"baseline": 1.40, "output": 1.54, "outcome": 2.92, "impact": 2.56, "quick_win": 3.08})
MEDIAN = pd.Series({"baseline": 3.2, "output": 2.1, "outcome": 2.6, "impact": 2.6, "quick_win": 2.4, "kolaborasi": 1.8})


def texts(fig: Figure) -> list[str]:
    """Every non-empty text string drawn in the figure (annotations, labels, ticks, legend)."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def gid_texts(fig: Figure, gid: str) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_gid() == gid]


def by_gid(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def programme_table() -> pd.DataFrame:
    table = pd.DataFrame(
        {"planned": [12, 10, 123, 9, 7, 4], "done": [10, 9, 87, 9, 6, 4]},
        index=["society", "branding", "governance", "living", "economy", "environment"],
    )
    table["percent"] = table["done"] / table["planned"] * 100
    return table


def uplift_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": ["O-03", "OUT-6", "QW-5", "I-51"],
            "dimension": ["outcome", "output", "quick_win", "impact"],
            "label": [
                "Opini BPK atas laporan keuangan pemerintah daerah dalam dua tahun terakhir berturut-turut",
                "Persentase anggaran smart city terhadap APBD",
                "Peluang kemitraan",
                "Keluhan warga ditanggapi sesuai standar pelayanan",
            ],
            "score": [1.0, 1.0, 2.4, 1.8],
            "gain": [0.0121, 0.0571, 0.0100, 0.0044],
        }
    )


def finals_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [
        {"region": f"Kota {i}", "category": "KPPN&IKN", "nilai_final": float(v)}
        for i, v in enumerate(rng.uniform(1, 3.8, 30))
    ]
    rows += [
        {"region": f"Kab. {i}", "category": "REGULER", "nilai_final": float(v)}
        for i, v in enumerate(rng.uniform(1, 3.8, 40))
    ]
    rows.append({"region": "Kab. Malang", "category": "KPPN&IKN", "nilai_final": 2.9406})
    return pd.DataFrame(rows)


def heatmap_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kolaborasi": [2.53, np.nan, 3.33],
            "baseline": [3.60, 2.64, 4.00],
            "output": [2.29, 1.97, 3.89],
            "outcome": [3.41, 2.46, 3.76],
            "impact": [2.81, 1.36, 3.99],
            "quick_win": [3.13, 1.83, 3.88],
        },
        index=["Kab. Malang", "Kab. Pelalawan", "Kota Surakarta"],
    )


def history_table(with_dimensions: bool = False) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "year": [2021, 2022, 2023, 2024, 2024],
            "stage": [2, 2, 2, 1, 2],
            "nilai_final": [2.3, 2.5035, 2.9406, 3.05, 3.12],
        }
    )
    if with_dimensions:
        table["baseline"] = [1.2, 1.4, 3.6, np.nan, 3.7]
        table["impact"] = [2.0, 2.56, 2.81, np.nan, 2.9]
    return table


ALL_CHARTS = {
    "radar": lambda lang: charts.radar(MALANG_2023, MALANG_2022, lang=lang).figure,
    "dimension_bars": lambda lang: charts.dimension_bars(MALANG_2023, MEDIAN, lang=lang).figure,
    "realisation_bars": lambda lang: charts.realisation_bars(programme_table(), lang=lang).figure,
    "uplift_bars": lambda lang: charts.uplift_bars(uplift_table(), lang=lang).figure,
    "distribution": lambda lang: charts.distribution(finals_table(), highlight="Kab. Malang", lang=lang).figure,
    "heatmap": lambda lang: charts.heatmap(heatmap_table(), lang=lang).figure,
    "trajectory": lambda lang: charts.trajectory(history_table(True), lang=lang).figure,
}


# ---------------------------------------------------------------------------------------------- constants


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        (charts.PILLAR_COLOURS, mth.PILLAR_KEYS),
        (charts.PILLAR_HATCHES, mth.PILLAR_KEYS),
        (charts.PILLAR_MARKERS, mth.PILLAR_KEYS),
        (charts.DIMENSION_COLOURS, mth.DIMENSION_KEYS),
        (charts.DIMENSION_MARKERS, mth.DIMENSION_KEYS),
        (charts.ACTION_PLAN_COLOURS, mth.ACTION_PLAN_KEYS),
    ],
)
def test_style_tables_keyed_by_methodology_keys(table, keys):
    assert tuple(table) == keys


def test_no_label_tables_left_in_charts():
    assert not [name for name in dir(charts) if name.endswith("_LABELS") or name.endswith("_NAMES")]


@pytest.mark.parametrize("kind", list(charts.LABEL_KINDS))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_key_labels_in_canonical_order(kind, lang):
    assert tuple(charts.key_labels(kind, lang, year=2023)) == charts.LABEL_KINDS[kind]


def test_key_labels_dimensions_are_the_methodology_short_names():
    assert list(charts.key_labels("dimension", "id", year=2023).values()) == [
        "Baseline",
        "Output",
        "Outcome",
        "Impact",
        "Quick Wins",
        "Kolaborasi",
    ]


def test_key_labels_dimension_in_english():
    assert charts.key_labels("dimension", "en", year=2023)["kolaborasi"] == "Collaboration"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_key_labels_pillar_name_in_both_languages(lang):
    assert charts.key_labels("pillar", lang, year=2023)["governance"] == "Smart Governance"


def test_key_labels_only_keys_of_that_year():
    assert "kolaborasi" not in charts.key_labels("dimension", "id", year=2022)


def test_key_labels_default_is_latest_year():
    assert charts.key_labels("action_plan", "en") == charts.key_labels("action_plan", "en", year=mth.years()[-1])


def test_key_labels_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        charts.key_labels("programme")


def test_key_labels_rejects_year_without_methodology():
    with pytest.raises(KeyError, match="no methodology for 1999"):
        charts.key_labels("dimension", year=1999)


@pytest.mark.parametrize("colours", [charts.PILLAR_COLOURS, charts.DIMENSION_COLOURS, charts.ACTION_PLAN_COLOURS])
def test_colours_distinguishable_in_greyscale(colours):
    lumas = [charts.greyscale_luma(c) for c in colours.values()]
    for a, b in itertools.combinations(lumas, 2):
        assert abs(a - b) > 0.1
    assert len(set(colours.values())) == len(colours)


def test_series_styles_differ_in_greyscale_and_linestyle():
    cur, prev = charts.SERIES_STYLES["current"], charts.SERIES_STYLES["previous"]
    assert abs(charts.greyscale_luma(cur["color"]) - charts.greyscale_luma(prev["color"])) > 0.2
    assert cur["linestyle"] != prev["linestyle"]
    assert cur["marker"] != prev["marker"]


def test_greyscale_luma_extremes():
    assert charts.greyscale_luma("black") == 0
    assert charts.greyscale_luma("white") == pytest.approx(1)


# ---------------------------------------------------------------------------------------------- every chart


@pytest.mark.parametrize("name", ALL_CHARTS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_returns_figure_without_pyplot(name, lang):
    before = plt.get_fignums()
    rc_before = dict(matplotlib.rcParams)
    fig = ALL_CHARTS[name](lang)
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before
    assert dict(matplotlib.rcParams) == rc_before  # style is a context, never leaks
    width_cm = fig.get_size_inches()[0] * 2.54
    assert 15 <= width_cm <= 17
    fig.savefig(io.BytesIO(), format="png")  # renders


@pytest.mark.parametrize("name", ALL_CHARTS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_nothing_clipped_and_dejavu(name, lang):
    fig = ALL_CHARTS[name](lang)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    # everything drawn (axes, tick labels, annotations, legends) lies inside the page
    tight = fig.get_tightbbox(renderer)
    width, height = fig.get_size_inches()
    tol = 0.0  # not a point outside: Chromium shows what the figure holds, and no more
    assert tight.x0 >= -tol and tight.y0 >= -tol, name
    assert tight.x1 <= width + tol and tight.y1 <= height + tol, name
    fonts = {t.get_fontname() for t in fig.findobj(Text) if t.get_text().strip()}
    assert fonts == {"DejaVu Sans"}


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_bad_language_rejected(name):
    with pytest.raises(ValueError):
        ALL_CHARTS[name]("fr")


def test_batch_leaves_no_figures():
    before = plt.get_fignums()
    for _ in range(3):
        for make in ALL_CHARTS.values():
            make("id")
    assert plt.get_fignums() == before


# ---------------------------------------------------------------------------------------------- radar


def test_radar_axes_in_order_with_labels():
    fig = charts.radar(MALANG_2023, lang="id").figure
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Baseline",
        "Output",
        "Outcome",
        "Impact",
        "Quick Wins",
        "Kolaborasi",
    ]
    assert ax.get_ylim() == (0, 4)
    assert list(ax.get_yticks()) == [1, 2, 3, 4]
    en = charts.radar(MALANG_2023, lang="en").figure.axes[0]
    assert en.get_xticklabels()[-1].get_text() == "Collaboration"


def test_radar_order_is_canonical_whatever_the_input_order():
    shuffled = MALANG_2023[["impact", "kolaborasi", "baseline", "quick_win", "output", "outcome"]]
    ax = charts.radar(shuffled).figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["Baseline", "Output", "Outcome"]
    (line,) = by_gid(ax.figure, "current")
    assert list(line.get_ydata()[:-1]) == list(MALANG_2023.values)


def test_radar_five_dimensions_without_kolaborasi():
    ax = charts.radar(MALANG_2022, lang="en").figure.axes[0]
    assert len(ax.get_xticklabels()) == 5
    assert "Collaboration" not in [t.get_text() for t in ax.get_xticklabels()]


def test_radar_this_year_vs_last_year():
    fig = charts.radar(MALANG_2023, MALANG_2022, labels=("2023", "2022")).figure
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_gid() in ("current", "previous")]
    assert len(lines) == 2
    current = next(ln for ln in lines if ln.get_gid() == "current")
    previous = next(ln for ln in lines if ln.get_gid() == "previous")
    assert current.get_linestyle() == "-"
    assert previous.get_linestyle() == "--"
    assert current.get_marker() != previous.get_marker()
    # last year has no kolaborasi: a gap, not a zero
    assert np.isnan(previous.get_ydata()[5])
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend_texts == ["2023", "2022"]


def test_radar_value_labels_decimal_comma():
    fig = charts.radar(MALANG_2023, MALANG_2022, lang="id").figure
    current = gid_texts(fig, "value-current")
    assert "3,60" in current
    assert "2,29" in current
    assert len(current) == 6
    assert "1,40" in gid_texts(fig, "value-previous")
    fig_en = charts.radar(MALANG_2023.replace(2.29, 2.94), lang="en").figure
    assert "2.94" in gid_texts(fig_en, "value-current")
    assert not any("," in t for t in gid_texts(fig_en, "value-current"))
    fig_id = charts.radar(MALANG_2023.replace(2.29, 2.94), lang="id").figure
    assert "2,94" in gid_texts(fig_id, "value-current")


def test_radar_rejects_unknown_dimension():
    with pytest.raises(ValueError, match="unknown dimension"):
        charts.radar(pd.Series({"baseline": 1, "output": 2, "outcome": 3, "quick_wins": 2}))


# ---------------------------------------------------------------------------------------------- dimension bars


def test_dimension_bars_widths_and_medians():
    fig = charts.dimension_bars(MALANG_2023, MEDIAN, lang="id").figure
    ax = fig.axes[0]
    bars = ax.patches
    assert len(bars) == 6
    assert [b.get_width() for b in bars] == pytest.approx(list(MALANG_2023.values))
    assert [t.get_text() for t in ax.get_yticklabels()] == list(charts.key_labels("dimension", "id").values())
    (median,) = by_gid(fig, "median")
    assert list(median.get_xdata()) == pytest.approx(list(MEDIAN.values))
    assert list(median.get_ydata()) == pytest.approx([b.get_y() + b.get_height() / 2 for b in bars])
    labels = gid_texts(fig, "value-label")
    assert "2,29" in labels
    assert "3,60" in labels
    assert ax.get_xlim()[0] == 0
    assert ax.get_xlim()[1] >= 4
    assert "Median kategori" in texts(fig)


def test_dimension_bars_english_and_without_median():
    fig = charts.dimension_bars(MALANG_2022, lang="en").figure
    assert by_gid(fig, "median") == []
    assert "2.92" in gid_texts(fig, "value-label")
    assert len(fig.axes[0].patches) == 5


def test_dimension_bars_colours_per_dimension():
    ax = charts.dimension_bars(MALANG_2023).figure.axes[0]
    expected = [matplotlib.colors.to_rgba(charts.DIMENSION_COLOURS[d]) for d in mth.DIMENSION_KEYS]
    assert [b.get_facecolor() for b in ax.patches] == expected


# ---------------------------------------------------------------------------------------------- realisation


def test_realisation_canonical_order_colours_and_counts():
    fig = charts.realisation_bars(programme_table(), lang="id").figure
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(charts.key_labels("pillar", "id").values())
    bars = [p for p in ax.patches if p.get_gid() == "realisation" or isinstance(p, Rectangle)]
    expected = [matplotlib.colors.to_rgba(charts.PILLAR_COLOURS[p]) for p in mth.PILLAR_KEYS]
    assert [b.get_facecolor() for b in bars] == expected
    assert bars[0].get_width() == pytest.approx(87 / 123 * 100)
    labels = gid_texts(fig, "count-label")
    assert labels[0] == "87/123 (70,73%)"
    assert any(t.startswith("9/10") for t in labels)
    total = gid_texts(fig, "total-label")[0]
    assert "125/165" in total
    assert "75,76%" in total


def test_realisation_english_decimal_point():
    fig = charts.realisation_bars(programme_table(), lang="en").figure
    assert gid_texts(fig, "count-label")[0] == "87/123 (70.73%)"


def test_realisation_action_plan():
    table = pd.DataFrame(
        {"planned": [18, 28, 20], "done": [18, 26, 19]}, index=["aplikasi", "kebijakan_kelembagaan", "sdm"]
    )
    table["percent"] = table["done"] / table["planned"] * 100
    ax = charts.realisation_bars(table, kind="action_plan", lang="en").figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Policy & institutions", "Human resources", "Applications"]
    ax_id = charts.realisation_bars(table, kind="action_plan", lang="id").figure.axes[0]
    assert ax_id.get_yticklabels()[0].get_text() == "Kebijakan & kelembagaan"


def _action_plan_table() -> pd.DataFrame:
    table = pd.DataFrame({"planned": [28, 20], "done": [26, 19]}, index=["sdm", "kebijakan_kelembagaan"])
    table["percent"] = table["done"] / table["planned"] * 100
    return table


@pytest.mark.parametrize(("lang", "expected"), [("id", "SDM"), ("en", "Human resources")])
def test_action_plan_tick_is_the_methodology_short_label(lang, expected):
    sdm = next(c for c in mth.get(2023).action_plan_categories if c.key == "sdm")
    ax = charts.realisation_bars(_action_plan_table(), kind="action_plan", lang=lang, year=2023).figure.axes[0]
    tick = ax.get_yticklabels()[1].get_text()  # canonical order: kebijakan_kelembagaan, then sdm
    assert tick == sdm.short(lang)
    assert tick == expected


def test_action_plan_tick_is_not_the_long_appendix_name():
    ax = charts.realisation_bars(_action_plan_table(), kind="action_plan", lang="en", year=2023).figure.axes[0]
    assert ax.get_yticklabels()[1].get_text() != "Human-resource capacity"


def test_dimension_missing_from_the_year_fails_naming_key_and_year():
    with pytest.raises(ValueError, match=r"\['kolaborasi'\] have no label in the 2022 methodology"):
        charts.heatmap(heatmap_table(), year=2022)


def test_chart_labels_follow_the_year_passed():
    ax = charts.dimension_bars(MALANG_2022, lang="id", year=2022).figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(charts.key_labels("dimension", "id", 2022).values())


def test_radar_legend_defaults_to_the_methodology_year():
    fig = charts.radar(MALANG_2023, MALANG_2022, year=2023).figure
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["2023", "2022"]


def test_realisation_rejects_bad_input():
    with pytest.raises(ValueError):
        charts.realisation_bars(programme_table(), kind="pillar")
    with pytest.raises(ValueError):
        charts.realisation_bars(programme_table(), kind="action_plan")  # pillar keys are not categories
    with pytest.raises(ValueError):
        charts.realisation_bars(programme_table().drop(columns="percent"))


# ---------------------------------------------------------------------------------------------- uplift


def test_uplift_sorted_and_labels_shortened():
    fig = charts.uplift_bars(uplift_table(), lang="id").figure
    ax = fig.axes[0]
    widths = [b.get_width() for b in sorted(ax.patches, key=lambda b: b.get_y())]
    ys = [b.get_y() for b in ax.patches]
    assert ax.yaxis_inverted()  # first bar at the top
    assert [b.get_width() for b in ax.patches] == sorted(widths, reverse=True)
    assert ys == sorted(ys)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0].startswith("OUT-6")
    for tick in ticks:
        assert len(tick.replace("\n", " ")) <= 62
        assert tick.count("\n") <= 1
    assert ticks[1].endswith("…")  # the long BPK question is truncated
    labels = gid_texts(fig, "gain-label")
    assert labels[0].startswith("+0,057")
    assert "1,00" in labels[0]


def test_uplift_empty_table():
    empty = uplift_table().iloc[0:0]
    assert isinstance(charts.uplift_bars(empty).figure, Figure)


# ---------------------------------------------------------------------------------------------- distribution


def test_distribution_highlight_and_categories():
    fig = charts.distribution(finals_table(), highlight="Kab. Malang", lang="id").figure
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0].startswith("REGULER")
    assert ticks[1].startswith("KPPN&IKN")
    assert "n = 31" in ticks[1]
    (marker,) = by_gid(fig, "highlight")
    assert marker.get_offsets()[0][0] == pytest.approx(2.9406)
    assert marker.get_offsets()[0][1] == pytest.approx(1)  # KPPN&IKN row
    assert gid_texts(fig, "highlight-label") == ["Kab. Malang: 2,94"]
    assert ax.get_xlim()[0] <= 0
    assert ax.get_xlim()[1] >= 4
    en = charts.distribution(finals_table(), highlight="Kab. Malang", lang="en").figure
    assert gid_texts(en, "highlight-label") == ["Kab. Malang: 2.94"]


def test_distribution_without_highlight_and_unknown_highlight():
    fig = charts.distribution(finals_table()).figure
    assert by_gid(fig, "highlight") == []
    with pytest.raises(ValueError, match="not found"):
        charts.distribution(finals_table(), highlight="Kota Atlantis")


# ---------------------------------------------------------------------------------------------- heatmap


def test_heatmap_order_annotations_and_blank_nan():
    fig = charts.heatmap(heatmap_table(), lang="id").figure
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(charts.key_labels("dimension", "id").values())
    (image,) = ax.get_images()
    data = image.get_array()
    assert data.shape == (3, 6)
    assert bool(data.mask[1, 5])
    assert int(data.mask.sum()) == 1
    cells = [t for t in fig.findobj(Text) if t.get_gid() == "cell-value"]
    assert len(cells) == 17  # 18 cells, one NaN left blank
    assert not any(t.get_position() == (5, 1) for t in cells)
    assert {"3,60", "2,53", "1,36"} <= {t.get_text() for t in cells}
    assert len(by_gid(fig, "nan-cell")) == 1
    assert image.get_clim() == (0, 4)
    assert image.cmap.name.startswith("cividis")


def test_heatmap_large_table_not_annotated():
    rng = np.random.default_rng(1)
    table = pd.DataFrame(rng.uniform(0, 4, (60, 5)), columns=list(mth.DIMENSION_KEYS[:5]))
    fig = charts.heatmap(table, lang="en").figure
    assert [t for t in fig.findobj(Text) if t.get_gid() == "cell-value"] == []
    assert fig.get_size_inches()[1] * 2.54 <= 25.5


# ---------------------------------------------------------------------------------------------- trajectory


def test_trajectory_stages():
    fig = charts.trajectory(history_table(), lang="id").figure
    (stage2,) = by_gid(fig, "stage2")
    (stage1,) = by_gid(fig, "stage1")
    assert stage2.get_linestyle() == "-"
    assert matplotlib.colors.same_color(stage2.get_markerfacecolor(), stage2.get_color())
    assert matplotlib.colors.same_color(stage1.get_markerfacecolor(), "white")  # hollow
    assert list(stage2.get_ydata()) == pytest.approx([2.3, 2.5035, 2.9406, 3.12])
    assert list(stage1.get_ydata()) == pytest.approx([3.05])
    ax = fig.axes[0]
    assert ax.get_ylim() == (0, 4)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022", "2023", "2024"]
    labels = gid_texts(fig, "value-label")
    assert "2,94" in labels
    assert "2,50" in labels
    assert "3,05" in labels
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Tahap II", "Tahap I"]
    assert len(fig.axes) == 1  # no dimensions: Nilai Final alone


def test_trajectory_with_dimensions_english():
    fig = charts.trajectory(history_table(with_dimensions=True), lang="en").figure
    assert len(by_gid(fig, "dim-baseline")) == 1
    assert len(by_gid(fig, "dim-impact")) == 1
    assert "2.94" in gid_texts(fig, "value-label")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Stage II", "Stage I", "Baseline", "Impact"]


def test_trajectory_nilai_final_and_dimensions_in_separate_panels():
    fig = charts.trajectory(history_table(with_dimensions=True), lang="id").figure
    final, dimensions = fig.axes
    assert {ln.get_gid() for ln in final.get_lines()} == {"stage1", "stage2"}
    assert {ln.get_gid() for ln in dimensions.get_lines()} == {"dim-baseline", "dim-impact"}
    assert final.get_ylabel() == "Nilai Final"
    assert dimensions.get_ylabel() == "Nilai dimensi (0–4)"


def test_trajectory_nilai_final_wears_no_dimension_colour():
    (stage2,) = by_gid(charts.trajectory(history_table(with_dimensions=True)).figure, "stage2")
    assert not any(matplotlib.colors.same_color(stage2.get_color(), c) for c in charts.DIMENSION_COLOURS.values())


def test_trajectory_tahap_1_dimensions_are_hollow_markers_before_their_year():
    history = history_table(with_dimensions=True).assign(baseline=[1.2, 1.4, 3.6, 3.5, 3.7])
    (stage1,) = by_gid(charts.trajectory(history).figure, "dim-baseline-stage1")
    assert list(stage1.get_xdata()) == pytest.approx([2023.8])
    assert matplotlib.colors.same_color(stage1.get_markerfacecolor(), "white")


def test_trajectory_requires_columns():
    with pytest.raises(ValueError):
        charts.trajectory(pd.DataFrame({"year": [2023], "nilai_final": [2.9]}))


# ---------------------------------------------------------------------------------------------- one palette


@pytest.mark.parametrize("series", ["current", "previous"])
def test_year_series_wear_no_dimension_pillar_or_category_colour(series):
    colour = charts.SERIES_STYLES[series]["color"]
    palette = [
        *charts.DIMENSION_COLOURS.values(),
        *charts.PILLAR_COLOURS.values(),
        *charts.ACTION_PLAN_COLOURS.values(),
    ]
    assert not any(matplotlib.colors.same_color(colour, c) for c in palette)


def test_uplift_bars_wear_their_dimension_colour_and_the_legend_follows_the_method_order():
    fig = charts.uplift_bars(uplift_table(), lang="en").figure
    bars = by_gid(fig, "gain")
    expected = [charts.DIMENSION_COLOURS[d] for d in ["output", "outcome", "quick_win", "impact"]]  # by gain
    assert [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars] == expected
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Output", "Outcome", "Impact", "Quick Wins"]


def test_trajectory_dimension_lines_wear_their_colour_in_the_method_order():
    fig = charts.trajectory(history_table(with_dimensions=True).iloc[:, [0, 1, 2, 4, 3]]).figure
    lines = [ln for ln in fig.axes[1].get_lines() if ln.get_label() in ("Baseline", "Impact")]
    assert [ln.get_label() for ln in lines] == ["Baseline", "Impact"]
    assert [ln.get_color() for ln in lines] == [
        charts.DIMENSION_COLOURS["baseline"],
        charts.DIMENSION_COLOURS["impact"],
    ]


# ---------------------------------------------------------------------------------------------- the sample data


def dimension_scores(scores: pd.Series) -> pd.Series:
    """A score card's dimension scores (exact fractions) as floats, as the report passes them."""
    return pd.Series({k: float(v) for k, v in scores.items()})


def realisation_table(table: pd.DataFrame) -> pd.DataFrame:
    """A score card's realisation table without its overall row, as the report passes it."""
    data = table.drop(index="overall")
    return data[data["planned"] > 0].assign(percent=lambda d: d["percent"].map(float))


@pytest.fixture(scope="module")
def reports() -> dict[str, rr.RegionReport]:
    """Kota Padang Panjang 2024 (Tahap I and II this year, last year from a workbook) and Kab. Malang 2023."""
    return {
        "pp24": rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE),
        "pp24_en": rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE, lang="en"),
        "malang23": rr.prepare("kab-malang", 2023, 2, SAMPLE),
    }


@pytest.fixture(scope="module")
def cohorts() -> dict[int, pd.DataFrame]:
    """The participants of the sample's 2023 and 2024 Tahap II cohorts."""
    return {year: ov.prepare(year, 2, SAMPLE).participants for year in (2023, 2024)}


def _radar(r: rr.RegionReport, with_previous: bool = True) -> charts.Chart:
    previous = dimension_scores(r.previous.dimensions) if with_previous else None
    labels = (str(r.card.year), str(r.card.year - 1))
    return charts.radar(dimension_scores(r.card.dimensions), previous, lang=r.lang, year=r.card.year, labels=labels)


def _bars(r: rr.RegionReport) -> charts.Chart:
    scores = dimension_scores(r.card.dimensions)
    return charts.dimension_bars(scores, r.median.reindex(scores.index), lang=r.lang, year=r.card.year)


def _realisation(r: rr.RegionReport, kind: str) -> charts.Chart:
    table = r.card.programmes if kind == "programme" else r.card.action_plan
    return charts.realisation_bars(realisation_table(table), kind=kind, lang=r.lang, year=r.card.year)


def _heatmap(participants: pd.DataFrame, year: int, lang: str) -> charts.Chart:
    table = participants.set_index("region")[[d for d in DIMS if participants[d].notna().any()]]
    return charts.heatmap(table, lang=lang, year=year)


def _distribution(participants: pd.DataFrame, lang: str) -> charts.Chart:
    finals = participants[["region", "category", "nilai_final"]]
    return charts.distribution(finals, highlight="Kota Padang Panjang", lang=lang)


#: every chart of the reports, drawn from the sample data: name -> (reports, cohorts, lang) -> Chart
SAMPLE_CHARTS = {
    "radar_with_previous": lambda r, c, lang: _radar(r[lang]),
    "radar_without_previous": lambda r, c, lang: _radar(r[lang], with_previous=False),
    "radar_kolaborasi_new": lambda r, c, lang: _radar(r["malang23"]),
    "dimension_bars_with_median": lambda r, c, lang: _bars(r[lang]),
    "dimension_bars_six": lambda r, c, lang: _bars(r["malang23"]),
    "realisation_programme": lambda r, c, lang: _realisation(r[lang], "programme"),
    "realisation_action_plan": lambda r, c, lang: _realisation(r[lang], "action_plan"),
    "uplift_bars": lambda r, c, lang: charts.uplift_bars(rr.uplift_table(r["malang23"]), lang="id", year=2023),
    "uplift_bars_pp": lambda r, c, lang: charts.uplift_bars(rr.uplift_table(r[lang]), lang=r[lang].lang, year=2024),
    "distribution": lambda r, c, lang: _distribution(c[2024], r[lang].lang),
    "heatmap_annotated": lambda r, c, lang: _heatmap(c[2024], 2024, r[lang].lang),
    "heatmap_many_regions": lambda r, c, lang: _heatmap(c[2023], 2023, r[lang].lang),
    "trajectory": lambda r, c, lang: charts.trajectory(r[lang].history, lang=r[lang].lang, year=2024),
}


def drawn_texts(fig: Figure) -> list[tuple[Text, matplotlib.transforms.Bbox]]:
    """Every visible, non-empty text the renderer draws, with its extent in pixels (box included).

    Tick labels of ticks outside their axis' view are not drawn, so they are left out.
    """
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return [
        (t, extent(t, renderer))
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in undrawn
    ]


def extent(text: Text, renderer) -> matplotlib.transforms.Bbox:
    """A text's extent, with the box drawn behind it (which hides what lies under it) when it has one."""
    box = text.get_bbox_patch()
    own = text.get_window_extent(renderer)
    return own if box is None else matplotlib.transforms.Bbox.union([own, box.get_window_extent(renderer)])


def collisions(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose extents overlap."""
    texts = drawn_texts(fig)
    return [(a.get_text(), b.get_text()) for (a, ea), (b, eb) in itertools.combinations(texts, 2) if ea.overlaps(eb)]


@pytest.mark.parametrize("name", SAMPLE_CHARTS)
@pytest.mark.parametrize("lang", ["pp24", "pp24_en"])
def test_no_label_collides_with_another(reports, cohorts, name, lang):
    fig = SAMPLE_CHARTS[name](reports, cohorts, lang).figure
    assert collisions(fig) == []


def test_the_collision_check_sees_overlapping_labels():
    fig = charts.dimension_bars(MALANG_2023, MEDIAN).figure
    first = next(t for t in fig.findobj(Text) if t.get_gid() == "value-label")
    fig.axes[0].text(*first.get_position(), "◇", transform=first.get_transform())  # the old median mark on "3,60"
    assert collisions(fig) == [("3,60", "◇")]


def test_the_collision_check_counts_the_drawn_texts(reports, cohorts):
    fig = SAMPLE_CHARTS["radar_with_previous"](reports, cohorts, "pp24").figure
    texts = [t.get_text() for t, _ in drawn_texts(fig)]
    assert sorted(texts) == sorted(
        ["Baseline", "Output", "Outcome", "Impact", "Quick Wins", "1", "2", "3", "4", "2024", "2023"]
        + ["3,28", "2,26", "2,70", "2,66", "2,02", "3,20", "2,11", "2,59", "2,61", "1,83"]
    )


def test_median_marks_stay_clear_of_every_label(reports):
    fig = _bars(reports["pp24"]).figure
    texts = drawn_texts(fig)  # draws the figure
    (median,) = by_gid(fig, "median")
    half = median.get_markersize() / 2 * fig.dpi / 72
    centres = median.axes.transData.transform(np.column_stack([median.get_xdata(), median.get_ydata()]))
    marks = [matplotlib.transforms.Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in centres]
    assert [(t.get_text(), i) for t, e in texts for i, m in enumerate(marks) if e.overlaps(m)] == []


def test_radar_ring_labels_sit_between_axes(reports):
    ax = _radar(reports["malang23"]).figure.axes[0]
    position = ax.get_rlabel_position()
    assert position % 60 == pytest.approx(30)  # six axes 60 degrees apart: half-way between two


# ---------------------------------------------------------------------------------------------- alt text


def test_radar_alt_gives_both_years_per_dimension(reports):
    alt = _radar(reports["pp24"]).alt
    assert alt.startswith("Radar nilai dimensi 2024 (skala 0–4): Baseline 3,28 (2023: 3,20), Output 2,26 (2023: 2,11)")


def test_radar_alt_ends_with_the_last_dimension(reports):
    assert _radar(reports["pp24"]).alt.endswith("Quick Wins 2,02 (2023: 1,83).")


def test_radar_alt_without_previous_has_no_last_year(reports):
    alt = _radar(reports["pp24"], with_previous=False).alt
    assert alt == (
        "Radar nilai dimensi 2024 (skala 0–4): Baseline 3,28, Output 2,26, Outcome 2,70, Impact 2,66, Quick Wins 2,02."
    )


def test_radar_alt_gives_a_new_dimension_without_a_last_year(reports):
    assert "Quick Wins 3,13 (2022: 3,08), Kolaborasi 2,53." in _radar(reports["malang23"]).alt


def test_radar_alt_in_english_has_decimal_points(reports):
    assert "Baseline 3.28 (2023: 3.20)" in _radar(reports["pp24_en"]).alt


def test_dimension_bars_alt_gives_score_and_category_median(reports):
    assert "Outcome 2,70 (median 2,55)" in _bars(reports["pp24"]).alt


def test_dimension_bars_alt_without_median(reports):
    scores = dimension_scores(reports["pp24"].card.dimensions)
    alt = charts.dimension_bars(scores, year=2024).alt
    assert alt == "Nilai dimensi (skala 0–4): Baseline 3,28, Output 2,26, Outcome 2,70, Impact 2,66, Quick Wins 2,02."


def test_dimension_bars_median_without_any_value_is_no_median(reports):
    scores = dimension_scores(reports["pp24"].card.dimensions)
    chart = charts.dimension_bars(scores, pd.Series(np.nan, index=scores.index), year=2024)
    assert by_gid(chart.figure, "median") == []


def test_programme_alt_gives_each_pillar_and_the_total(reports):
    alt = _realisation(reports["pp24"], "programme").alt
    assert "Smart Society 10/21 (47,62%)" in alt
    assert alt.endswith("; total 87/123 (70,73%).")


def test_action_plan_alt_gives_each_category_and_the_total(reports):
    alt = _realisation(reports["pp24_en"], "action_plan").alt
    assert alt.startswith("Action-plan realisation per category: Policy & institutions 39/42 (92.86%)")
    assert alt.endswith("; total 256/271 (94.46%).")


def test_uplift_alt_gives_items_gains_and_scores(reports):
    alt = charts.uplift_bars(rr.uplift_table(reports["malang23"]), year=2023).alt
    assert alt.startswith(
        "Tambahan Nilai Final jika skor butir naik ke 3: OP-06 Alokasi APBD untuk smart city +0,057 (skor 1,00)"
    )


def test_uplift_alt_of_an_empty_table_says_so():
    assert charts.uplift_bars(uplift_table().iloc[0:0]).alt == "Tidak ada data"


def test_distribution_alt_gives_each_category_and_the_highlight(cohorts):
    alt = _distribution(cohorts[2024], "id").alt
    assert "REGULER: 5 peserta, median 2,49, terendah 2,14, tertinggi 3,08" in alt
    assert "KPPN&IKN: 1 peserta, median 3,03" in alt
    assert alt.endswith("Ditandai: Kota Padang Panjang 2,53.")


def test_heatmap_alt_gives_every_region_and_explains_the_hatching(cohorts):
    alt = _heatmap(cohorts[2024], 2024, "id").alt
    assert "Kota Padang Panjang: Baseline 3,28, Output 2,26, Outcome 2,70, Impact 2,66, Quick Wins 2,02;" in alt
    assert "Kab. Malang: Baseline 3,64, Output 2,46, Outcome 3,45, Impact 2,90, Quick Wins 3,18, Kolaborasi 2,70" in alt
    assert alt.endswith("Sel berarsir: tanpa nilai (tidak dinilai atau tidak tersedia).")


def test_heatmap_of_many_regions_gives_each_dimension_median():
    table = pd.DataFrame({"baseline": np.linspace(1, 3, 41), "output": np.full(41, 2.5)})
    alt = charts.heatmap(table, lang="en").alt
    assert alt == (
        "Dimension scores of 41 regencies/cities (0–4 scale); median per dimension: Baseline 2.00, Output 2.50."
    )


def test_heatmap_hatching_has_a_legend(cohorts):
    fig = _heatmap(cohorts[2024], 2024, "id").figure
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["tanpa nilai (tidak dinilai atau tidak tersedia)"]


def test_heatmap_without_blank_cells_has_no_hatching_legend():
    assert charts.heatmap(heatmap_table().drop(columns="kolaborasi")).figure.legends == []


def test_distribution_legend_names_every_mark():
    fig = charts.distribution(finals_table(), lang="en").figure
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Quartiles 1–3",
        "Category median",
        "Lowest–highest",
        "Participant",
    ]


def test_trajectory_alt_gives_nilai_final_per_year_and_stage(reports):
    alt = charts.trajectory(reports["pp24"].history, year=2024).alt
    assert alt.startswith("Nilai Final per tahun dan tahap: 2023 Tahap II 2,41, 2024 Tahap I 2,41, 2024 Tahap II 2,53.")


def test_trajectory_alt_gives_each_dimension_per_year_and_stage(reports):
    alt = charts.trajectory(reports["pp24"].history, year=2024).alt
    assert "Baseline: 2023 Tahap II 3,20, 2024 Tahap I 3,12, 2024 Tahap II 3,28;" in alt


# ---------------------------------------------------------------------------------------------- in the report


def test_figure_html_puts_the_alt_text_in_the_image_and_the_caption_under_it():
    chart = charts.Chart(charts.dimension_bars(MALANG_2022).figure, 'Baseline 1,40 <"Kab. Malang">')
    html = figure_html(chart, "Nilai dimensi")
    assert 'alt="Baseline 1,40 &lt;&quot;Kab. Malang&quot;&gt;"' in html
    assert html.endswith("<figcaption>Nilai dimensi</figcaption></figure>")


def test_report_images_carry_the_charts_alt_text(reports):
    html = rr.charts_section(reports["pp24"]).data
    assert 'alt="Radar nilai dimensi 2024 (skala 0–4): Baseline 3,28 (2023: 3,20)' in html


def test_report_radar_caption_compares_with_last_year_only_when_it_is_drawn():
    html = rr.charts_section(rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE, previous="none")).data
    assert "<figcaption>Profil nilai dimensi (skala 0–4)</figcaption>" in html
    assert "dibanding tahun lalu" not in html


def test_report_radar_caption_with_last_year(reports):
    html = rr.charts_section(reports["pp24"]).data
    assert "<figcaption>Nilai dimensi tahun ini dibanding tahun lalu (skala 0–4)</figcaption>" in html


def test_radar_ring_label_gives_way_to_value_labels_near_the_centre():
    lowest, highest = pd.Series(0.3, index=DIMS), pd.Series(4.0, index=DIMS)
    fig = charts.radar(lowest, highest).figure
    rings = [t.get_text() for t, _ in drawn_texts(fig) if t.get_text() in ("1", "2", "3", "4")]
    assert rings == ["2", "3", "4"]


@pytest.mark.parametrize("order", ["lowest_first", "highest_first"])
def test_radar_labels_do_not_collide_at_the_ends_of_the_scale(order):
    lowest, highest = pd.Series(0.3, index=DIMS), pd.Series(4.0, index=DIMS)
    current, previous = (lowest, highest) if order == "lowest_first" else (highest, lowest)
    assert collisions(charts.radar(current, previous).figure) == []


def test_radar_previous_without_any_value_draws_no_last_year():
    fig = charts.radar(MALANG_2023, pd.Series(np.nan, index=DIMS)).figure
    assert by_gid(fig, "previous") == []
