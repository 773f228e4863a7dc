"""Helpers of the analysts' notebook (``notebooks/explore.ipynb``): store access, widgets, worked questions.

Everything returns pandas objects, charts as HTML (with their alt text) or ipywidgets, so the notebook stays narrative
and calls. Charts come from :mod:`smartcity_eval.reports.charts`, in the reports' palette and order of dimensions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.method import methodology as mth
from smartcity_eval.reports import charts
from smartcity_eval.results import store
from smartcity_eval.results.cohort import DIMS

T = i18n.section("explore")


def open_store(
    data_dir: str | Path = "../data/sample", db: str | Path = "../outputs/smartcity.duckdb", lang: str = "en"
) -> Any:
    """Bring the store up to date with ``data_dir`` (incremental) and open it read-only; problems are printed."""
    report = store.ingest(data_dir, db)
    if not report.ok:
        print(report.format(lang))
    return store.connect(db, read_only=True)


def regions(con: Any) -> pd.DataFrame:
    """Every region in the store: slug, name, province."""
    return con.execute("SELECT slug, region, province FROM regions ORDER BY region").df()


def history_figure(con: Any, region_slug: str, lang: str = "en") -> Any:
    """A region's Nilai Final over years and stages, as a chart Jupyter displays (embedded SVG, not a bare Figure)."""
    from IPython.display import HTML

    from smartcity_eval.common.i18n import text
    from smartcity_eval.reports.html import figure_html

    hist = store.region_history(con, region_slug)
    chart = charts.trajectory(hist[["year", "stage", "nilai_final", *[d for d in DIMS if d in hist]]], lang=lang)
    return HTML(figure_html(chart, text("report.trajectory", lang)))


def region_picker(con: Any, lang: str = "en") -> Any:
    """A dropdown of regions showing the chosen region's history table and chart."""
    import ipywidgets as widgets
    from IPython.display import display

    table = regions(con)
    options = [(f"{r.region} ({r.province or '-'})", r.slug) for r in table.itertuples()]
    picker = widgets.Dropdown(options=options, description=T(lang, "region"))
    out = widgets.Output()

    def show(change: dict[str, Any] | None = None) -> None:
        out.clear_output(wait=True)
        with out:
            display(store.region_history(con, picker.value))
            display(history_figure(con, picker.value, lang))

    picker.observe(show, names="value")
    show()
    return widgets.VBox([picker, out])


def compare(con: Any, region_slugs: list[str], year: int, stage: int) -> pd.DataFrame:
    """Chosen regions side by side: dimension scores, Nilai Final and ranks."""
    table = store.cohort_table(con, year, stage)
    cols = ["region", "category", *DIMS, "nilai_final", "improvement", "rank_national", "rank_category"]
    return table[table["region_slug"].isin(region_slugs)][cols].set_index("region")


def comparison_picker(con: Any, year: int, stage: int, lang: str = "en") -> Any:
    """Pick several regions and see them side by side."""
    import ipywidgets as widgets
    from IPython.display import display

    table = store.cohort_table(con, year, stage)
    choose = widgets.SelectMultiple(
        options=[(r.region, r.region_slug) for r in table.itertuples()],
        value=tuple(table["region_slug"].head(3)),
        description=T(lang, "regions"),
        rows=8,
    )
    out = widgets.Output()

    def show(change: dict[str, Any] | None = None) -> None:
        out.clear_output(wait=True)
        with out:
            display(compare(con, list(choose.value), year, stage))

    choose.observe(show, names="value")
    show()
    return widgets.HBox([choose, out])


def what_holds_back(con: Any, year: int, stage: int) -> pd.DataFrame:
    """Per category: each dimension's median and the points of Nilai Final it leaves on the table.

    ``points_left`` = weight × (4 − median): the dimension with the most points left holds the category back.
    """
    table = store.cohort_table(con, year, stage)
    table = table[table["participant"]]
    rows = []
    for category, group in table.groupby("category"):
        profile = mth.profile(year, category)
        for dim in DIMS:
            weight = profile.weights.get(dim, 0)
            if not weight or group[dim].isna().all():
                continue
            median = float(group[dim].median())
            rows.append(
                {
                    "category": category,
                    "dimension": dim,
                    "weight": weight,
                    "median": median,
                    "points_left": weight / 100 * (4 - median),
                }
            )
    frame = pd.DataFrame(rows)
    return frame.sort_values(["category", "points_left"], ascending=[True, False]).reset_index(drop=True)


def most_improved(con: Any, year: int, stage: int, n: int = 5) -> pd.DataFrame:
    """The ``n`` regions with the largest improvement on last year."""
    table = store.cohort_table(con, year, stage).dropna(subset=["improvement"])
    return table.nlargest(n, "improvement")[["region", "category", "nilai_final", "improvement"]]


def in_province(con: Any, region_slug: str, year: int, stage: int) -> pd.DataFrame:
    """The region's province: every region of it in the cohort, with national and provincial ranks."""
    table = store.cohort_table(con, year, stage)
    match = table[table["region_slug"] == region_slug]
    if match.empty or pd.isna(match.iloc[0]["province"]):
        return table.iloc[0:0][["region", "nilai_final", "rank_national", "rank_province"]]
    province = match.iloc[0]["province"]
    same = table[table["province"] == province].sort_values("rank_province")
    return same[["region", "category", "nilai_final", "rank_national", "rank_province"]].set_index("region")
