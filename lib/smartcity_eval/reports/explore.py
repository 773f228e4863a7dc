"""The analysts' workspace: ``notebooks/explore.ipynb`` in JupyterLab, and the same notebook as a Voilà dashboard.

:func:`open_workspace` reads the evaluation store into memory (:func:`smartcity_eval.results.store.snapshot`: the
file is let go at once, so it is safe to re-run and safe while another analyst or an ``ingest`` uses the store; a
store being written is waited for, with a message). Refreshing the store from the data folder is an explicit act
(``refresh=True``, or the refresh button). The :class:`Workspace` it returns shows one view per notebook cell; every
view follows the shared pickers (year, stage, category, province, region). What users see is in their language
(Indonesian by default): headers and dimension names from the catalogues and the methodology files, decimal commas,
``-`` for nothing, no index column; non-participants are marked and kept out of charts and statistics. Tables are
sortable and filterable with downloads (:mod:`smartcity_eval.reports.datatable`); charts are the reports' own
(:mod:`smartcity_eval.reports.charts`), shown as embedded SVG images.

The module-level functions compute each view's table from the store's frames (tested without a browser).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import check_lang, format_number, stage_name
from smartcity_eval.method import methodology as mth
from smartcity_eval.reports import charts, datatable
from smartcity_eval.reports.datatable import FLAG, SCORE, SIGNED, TEXT, WHOLE
from smartcity_eval.reports.html import figure_html
from smartcity_eval.results import rules, store
from smartcity_eval.results.cohort import DIMS

T = i18n.section("explore")

FIELDS = ("year", "stage", "category", "province", "region")
ALL = ""  # the pickers' "every category" / "every province"
#: assessors' scores this far apart (0–4 scale) on one item count as a disagreement
DISAGREEMENT = 2


# --------------------------------------------------------------------------------------------------------
# What each view shows, as frames (columns named by key; the views translate them)
# --------------------------------------------------------------------------------------------------------


def regions(con: Any) -> pd.DataFrame:
    """Every region in the store: slug, name, province, Kemendagri code."""
    return con.execute("SELECT slug, region, province, region_code FROM regions ORDER BY region").df()


def shown_cohort(cohort: pd.DataFrame) -> pd.DataFrame:
    """The cohort as shown: a non-participant's scores blanked (it took no part: its zeros are not scores)."""
    out = cohort.copy()
    out.loc[~out["participant"], [*DIMS, "nilai_final", "improvement"]] = float("nan")
    return out


def points_table(cohort: pd.DataFrame, year: int) -> pd.DataFrame:
    """Where the points are: per category and dimension, over participants, the weight, the median score, the Nilai
    Final points that median earns (weight × median) and the points it leaves (weight × (4 − median)).

    Columns ``category, dimension, weight, regions, median, earned, left``, most points left first within a
    category; medians (and so points) only over groups of :data:`rules.MIN_GROUP` or more, else NaN.
    """
    rows = []
    taking_part = cohort[cohort["participant"]]
    for category, group in taking_part.groupby("category", sort=True):
        weights = mth.profile(year, str(category)).weights
        for dim in (d for d in DIMS if weights.get(d)):
            scores = group[dim].dropna()
            median = float(scores.median()) if rules.comparable(len(scores)) else float("nan")
            share = weights[dim] / 100
            rows.append((category, dim, weights[dim], len(scores), median, share * median, share * (4 - median)))
    frame = pd.DataFrame(rows, columns=["category", "dimension", "weight", "regions", "median", "earned", "left"])
    return frame.sort_values(["category", "left"], ascending=[True, False], kind="stable").reset_index(drop=True)


def improvers(cohort: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` participants with the largest rise on last year (a fall is no improvement), largest first."""
    rose = cohort[cohort["participant"] & (cohort["improvement"] > 0)]
    return rose.sort_values(["improvement", "region"], ascending=[False, True], kind="stable").head(n)


def province_table(cohort: pd.DataFrame, region_slug: str) -> pd.DataFrame:
    """Every region of ``region_slug``'s province in the cohort, by provincial rank (empty when it has none)."""
    match = cohort[cohort["region_slug"] == region_slug]
    if match.empty or rules.missing(match.iloc[0]["province"]):
        return cohort.iloc[0:0]
    return cohort[cohort["province"] == match.iloc[0]["province"]]


def disagreement_by_region(items: pd.DataFrame) -> pd.DataFrame:
    """Per region with a workbook: items scored, assessors, mean spread of their scores, items whose scores are
    :data:`DISAGREEMENT` or more apart, and the largest spread; most disagreements first."""
    scored = items.dropna(subset=["spread"])
    frame = scored.groupby(["region", "region_slug"], as_index=False).agg(
        items=("item_id", "count"),
        assessors=("assessors", "max"),
        mean_spread=("spread", "mean"),
        disputed=("spread", lambda s: int((s >= DISAGREEMENT).sum())),
        max_spread=("spread", "max"),
    )
    return frame.sort_values(["disputed", "mean_spread", "region"], ascending=[False, False, True]).reset_index(
        drop=True
    )


def disputed_items(items: pd.DataFrame, region_slug: str, n: int = 10) -> pd.DataFrame:
    """The ``n`` items of one region on which the assessors' scores lie furthest apart (ties in item order)."""
    mine = items[(items["region_slug"] == region_slug) & items["spread"].notna()]
    return mine.sort_values(["spread", "item_id"], ascending=[False, True], kind="stable").head(n)


def history_chart(history: pd.DataFrame, lang: str, year: int | None = None) -> charts.Chart | None:
    """The trajectory chart of a region's participating evaluations (None when it never took part)."""
    taking_part = history[history["participant"]]
    if taking_part.empty:
        return None
    cols = ["year", "stage", "nilai_final", *[d for d in DIMS if d in history]]
    return charts.trajectory(taking_part[cols], lang=lang, year=year)


def history_figure(con: Any, region_slug: str, lang: str = "id", year: int | None = None) -> Any:
    """A region's Nilai Final over years and stages as an image Jupyter displays (embedded SVG, with alt text)."""
    from IPython.display import HTML

    chart = history_chart(store.region_history(con, region_slug), lang, year)
    return HTML(_figure(chart, T(lang, "history_caption"), lang))


def _figure(chart: charts.Chart | None, caption: str, lang: str) -> str:
    return _note(T(lang, "no_chart")) if chart is None else figure_html(chart, caption)


def _display_output(obj: Any) -> dict[str, Any]:
    """``obj`` as a display_data output (what ``display(obj)`` would send), for an Output widget's ``outputs``."""
    from IPython.core.interactiveshell import InteractiveShell

    data, metadata = InteractiveShell.instance().display_formatter.format(obj)
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def _note(text: str) -> str:
    return f'<p class="explore-note">{escape(text)}</p>'


# --------------------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------------------


def column_specs(keys: Iterable[str], lang: str, year: int) -> dict[str, tuple[str, str]]:
    """``{key: (header, kind)}``: dimensions named from the methodology of ``year``, the rest from the catalogue."""
    dims = charts.key_labels("dimension", lang, min(max(year, mth.years()[0]), mth.years()[-1]))
    kinds = {"improvement": SIGNED, "participant": FLAG, "weight": WHOLE, "regions": WHOLE, "items": WHOLE}
    kinds |= dict.fromkeys(("rank_national", "rank_category", "rank_province", "year", "assessors"), WHOLE)
    kinds |= dict.fromkeys((*DIMS, "nilai_final", "median", "earned", "left", "mean_spread", "value"), SCORE)
    kinds |= dict.fromkeys(("spread", "max_spread", "disputed"), WHOLE)
    return {k: (dims[k] if k in dims else T(lang, f"col_{k}"), kinds.get(k, TEXT)) for k in keys}


# --------------------------------------------------------------------------------------------------------
# The workspace
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What the pickers show: year, stage, category and province ("" for all) and region slug ("" for none)."""

    year: int
    stage: int
    category: str
    province: str
    region: str


class Workspace:
    """The store in memory, the shared pickers, and one method per view (each returns a widget)."""

    def __init__(self, con: Any, db: Path, data_dir: Path, lang: str, start: Selection) -> None:
        self.con, self.db, self.data_dir, self.lang = con, db, data_dir, lang
        self._start = start
        self._pickers: Pickers | None = None
        self._cohorts: dict[tuple[int, int], pd.DataFrame] = {}
        self._items: dict[tuple[int, int], pd.DataFrame] = {}
        self._ids = itertools.count(1)

    # ---------------------------------------------------------------- data

    def evaluated(self) -> list[tuple[int, int]]:
        """(year, stage) of every evaluation in the store, oldest first."""
        return [
            tuple(r) for r in self.con.execute("SELECT DISTINCT year, stage FROM evaluations ORDER BY ALL").fetchall()
        ]

    def cohort(self, year: int, stage: int) -> pd.DataFrame:
        """The national table of a year and stage (:func:`store.cohort_table`), kept once read."""
        key = (int(year), int(stage))
        if key not in self._cohorts:
            self._cohorts[key] = store.cohort_table(self.con, *key)
        return self._cohorts[key]

    def items(self, year: int, stage: int) -> pd.DataFrame:
        """Every scored item of the workbooks of a year and stage (:func:`store.item_results`), kept once read."""
        key = (int(year), int(stage))
        if key not in self._items:
            self._items[key] = store.item_results(self.con, *key)
        return self._items[key]

    def chosen(self, sel: Selection) -> pd.DataFrame:
        """The cohort of the selection's year and stage, of its category and province."""
        frame = self.cohort(sel.year, sel.stage)
        if sel.category:
            frame = frame[frame["category"] == sel.category]
        if sel.province:
            frame = frame[frame["province"] == sel.province]
        return frame

    def reload(self) -> None:
        """Read the store into memory again (after a refresh)."""
        old = self.con
        self.con = _snapshot(self.db, self.lang)
        old.close()
        self._cohorts.clear()
        self._items.clear()

    # ---------------------------------------------------------------- display

    def table(self, frame: pd.DataFrame, keys: list[str], year: int, name: str, page_length: int = 10) -> Any:
        """``frame``'s columns ``keys`` as a sortable, filterable table with downloads named ``name``."""
        shown = datatable.shown(frame, column_specs(keys, self.lang, year), self.lang)
        table_id = f"explore-{name}-{next(self._ids)}"
        return datatable.interactive(shown, self.lang, name=name, table_id=table_id, page_length=page_length)

    def static(self, frame: pd.DataFrame, keys: list[str], year: int) -> Any:
        """``frame``'s columns ``keys`` as a plain HTML table (what nbval compares)."""
        specs = column_specs(keys, self.lang, year)
        numeric = {header for header, kind in specs.values() if kind != TEXT}
        return datatable.static(datatable.shown(frame, specs, self.lang), numeric)

    def pickers(self) -> Any:
        """The pickers every view follows (the same widgets each time: re-running the cell is harmless)."""
        if self._pickers is None:
            self._pickers = Pickers(self)
        return self._pickers.box

    def selection(self) -> Selection:
        """What the pickers show now."""
        self.pickers()
        assert self._pickers is not None
        return self._pickers.selection()

    def choose(self, **values: Any) -> Selection:
        """Set pickers as a user would (``ws.choose(region="kota-padang-panjang")``); the views follow."""
        self.pickers()
        assert self._pickers is not None
        for field, value in values.items():
            self._pickers.widgets[field].value = value
        return self._pickers.selection()

    def options(self, field: str) -> list[tuple[str, Any]]:
        """The choices a picker offers now: ``(label, value)``."""
        self.pickers()
        assert self._pickers is not None
        return list(self._pickers.widgets[field].options)

    def _view(self, name: str, deps: set[str], render: Callable[[Selection], list[Any]]) -> Any:
        """A heading and an output that ``render`` fills now and whenever a picker in ``deps`` changes.

        The output's content is set in one go (its ``outputs``), not captured from ``display`` calls: the same in
        JupyterLab, Voilà and plain Python, and no half-drawn view between two picks.
        """
        import ipywidgets as widgets
        from IPython.display import HTML

        self.pickers()
        out = widgets.Output()

        def show(sel: Selection) -> None:
            try:
                parts = render(sel)
            except i18n.LocalizedError as exc:
                parts = [HTML(_note(exc.message(self.lang)))]
            out.outputs = tuple(_display_output(part) for part in parts)

        assert self._pickers is not None
        self._pickers.listen(name, deps, show)
        show(self._pickers.selection())
        heading = widgets.HTML(f"<h2>{escape(T(self.lang, f'{name}_title'))}</h2>")
        return widgets.VBox([heading, out], _dom_classes=["explore-view", f"explore-{name}"])

    # ---------------------------------------------------------------- views

    def national_table(self) -> Any:
        """The national table of the picked year, stage, category and province."""
        return self._view("national", {"year", "stage", "category", "province"}, self._national)

    def _national(self, sel: Selection) -> list[Any]:
        from IPython.display import HTML

        frame = shown_cohort(self.chosen(sel)).assign(status=lambda f: f["participant"].map(self._status))
        keys = ["rank_national", "region", "province", "category", *DIMS, "nilai_final", "improvement"]
        keys += ["rank_category", "rank_province", "status"]
        name = f"nasional-{sel.year}-tahap-{sel.stage}"
        return [HTML(_note(self._about(frame, sel))), self.table(frame, keys, sel.year, name, 25)]

    def _status(self, took_part: bool) -> str:
        return T(self.lang, "participant" if took_part else "not_participant")

    def _about(self, frame: pd.DataFrame, sel: Selection) -> str:
        """``2023 Tahap II: 131 daerah, 130 peserta, 1 tidak ikut; median Nilai Final 2,56``."""
        part = frame[frame["participant"]]
        enough = rules.comparable(len(part))
        median = format_number(float(part["nilai_final"].median()), 2, self.lang) if enough else "-"
        return T(
            self.lang,
            "about",
            year=sel.year,
            stage=stage_name(sel.stage, self.lang),
            n=len(frame),
            participants=len(part),
            others=len(frame) - len(part),
            median=median,
        )

    def region_history(self) -> Any:
        """The picked region's Nilai Final and dimension scores over the years: chart and table."""
        return self._view("history", {"region"}, self._history)

    def _history(self, sel: Selection) -> list[Any]:
        from IPython.display import HTML

        if not sel.region:
            return [HTML(_note(T(self.lang, "pick_a_region")))]
        history = store.region_history(self.con, sel.region).assign(
            stage_name=lambda f: [stage_name(s, self.lang) for s in f["stage"]],
            source_name=lambda f: [T(self.lang, f"source_{s}") for s in f["source"]],
            status=lambda f: f["participant"].map(self._status),
        )
        history.loc[~history["participant"], [*DIMS, "nilai_final", "improvement"]] = float("nan")
        chart = history_chart(history, self.lang, sel.year)
        keys = ["year", "stage_name", "category", "source_name", "status", *DIMS, "nilai_final", "improvement"]
        return [
            HTML(_note(self._region_line(sel.region))),
            HTML(_figure(chart, T(self.lang, "history_caption"), self.lang)),
            self.table(history, keys, sel.year, f"riwayat-{sel.region}"),
        ]

    def _region_line(self, slug: str) -> str:
        """``Kota Padang Panjang — Sumatera Barat (13.74)``."""
        row = self.con.execute("SELECT region, province, region_code FROM regions WHERE slug = ?", [slug]).fetchone()
        name, province, code = row if row else (slug, None, None)
        where = " ".join(p for p in (province, code and f"({code})") if p)
        return f"{name} — {where}" if where else str(name)

    def where_points_are(self) -> Any:
        """Where the Nilai Final points are, and where they are left, across the picked regions."""
        return self._view("points", {"year", "stage", "category", "province"}, self._points)

    def _points(self, sel: Selection) -> list[Any]:
        from IPython.display import HTML

        frame = self.chosen(sel)
        taking_part = frame[frame["participant"]]
        if taking_part.empty:
            return [HTML(_note(T(self.lang, "no_participants")))]
        points = points_table(frame, sel.year)
        points["dimension_name"] = [column_specs([d], self.lang, sel.year)[d][0] for d in points["dimension"]]
        keys = ["category", "dimension_name", "weight", "regions", "median", "earned", "left"]
        heat = taking_part.set_index("region")[[d for d in DIMS if taking_part[d].notna().any()]]
        chart = charts.heatmap(heat, lang=self.lang, year=sel.year)
        name = f"poin-{sel.year}-tahap-{sel.stage}"
        caption = T(self.lang, "heatmap_caption")
        return [
            HTML(_note(T(self.lang, "points_note"))),
            self.table(points, keys, sel.year, name),
            HTML(figure_html(chart, caption)),
        ]

    def disagreement(self) -> Any:
        """Where the assessors disagreed: per region, and the picked region's most disputed items."""
        return self._view("disagreement", set(FIELDS), self._disagreement)

    def _disagreement(self, sel: Selection) -> list[Any]:
        from IPython.display import HTML

        slugs = set(self.chosen(sel)["region_slug"])
        items = self.items(sel.year, sel.stage)
        items = items[items["region_slug"].isin(slugs)]
        if items.empty:
            return [HTML(_note(T(self.lang, "no_workbooks")))]
        parts = [HTML(_note(T(self.lang, "disagreement_note", n=DISAGREEMENT)))]
        by_region = disagreement_by_region(items)
        keys = ["region", "assessors", "items", "mean_spread", "disputed", "max_spread"]
        parts.append(self.table(by_region, keys, sel.year, f"ketidaksepakatan-{sel.year}-tahap-{sel.stage}"))
        worst = disputed_items(items, sel.region)
        if worst.empty:
            return [*parts, HTML(_note(T(self.lang, "no_workbook_region")))]
        worst = worst.assign(
            dimension_name=[column_specs([d], self.lang, sel.year)[d][0] for d in worst["dimension"]],
            question_text=worst["question_en"] if self.lang == "en" else worst["question"],
            score_list=[" · ".join(str(int(s)) for s in scores) for scores in worst["scores"]],
        )
        keys = ["item_id", "dimension_name", "indicator", "question_text", "score_list", "spread", "value"]
        title = HTML(_note(T(self.lang, "disputed_items", region=self._region_line(sel.region))))
        return [*parts, title, self.table(worst, keys, sel.year, f"butir-{sel.region}")]

    def most_improved(self) -> Any:
        """Who rose most on last year among the picked regions."""
        return self._view("improved", {"year", "stage", "category", "province"}, self._improved)

    def _improved(self, sel: Selection) -> list[Any]:
        from IPython.display import HTML

        rose = improvers(self.chosen(sel))
        if rose.empty:
            return [HTML(_note(T(self.lang, "nobody_rose")))]
        keys = ["region", "province", "category", "nilai_final", "improvement"]
        return [self.table(rose, keys, sel.year, f"naik-{sel.year}-tahap-{sel.stage}")]

    def in_province(self) -> Any:
        """The picked region among the regions of its province."""
        return self._view("province", {"year", "stage", "region"}, self._province)

    def _province(self, sel: Selection) -> list[Any]:
        from IPython.display import HTML

        same = shown_cohort(province_table(self.cohort(sel.year, sel.stage), sel.region))
        if same.empty:
            return [HTML(_note(T(self.lang, "no_province")))]
        same = same.assign(status=same["participant"].map(self._status))
        keys = ["rank_province", "region", "category", "nilai_final", "rank_national", "status"]
        return [self.table(same, keys, sel.year, f"provinsi-{sel.region}")]

    # ---------------------------------------------------------------- printed figures (what nbval compares)

    def summary(self) -> None:
        """Print the key figures of the notebook's own year and stage (its parameters, not the pickers)."""
        start = self._start
        frame = self.cohort(start.year, start.stage)
        print(self._about(frame, start))
        for category, group in frame[frame["participant"]].groupby("category"):
            top = group.iloc[0]
            final = format_number(float(top["nilai_final"]), 2, self.lang)
            print(T(self.lang, "top_of", category=category, region=top["region"], final=final))

    def query(self, sql: str, params: list[Any] | None = None) -> Any:
        """Run SQL on the store and show the result as people read it (columns by their own names)."""
        frame = self.con.execute(sql, params or []).df()
        specs = {c: (c, SCORE if pd.api.types.is_float_dtype(frame[c]) else TEXT) for c in frame.columns}
        numeric = {c for c, (_, kind) in specs.items() if kind == SCORE}
        return datatable.static(datatable.shown(frame, specs, self.lang), numeric)

    def refresh(self) -> Any:
        """What the refresh button does: load the data folder into the store (an explicit act), read it again, show
        every view anew; returns the outcome (the summary line and any broken file)."""
        note = refresh(self.data_dir, self.db, self.lang)
        self.reload()
        if self._pickers is not None:
            self._pickers.refilled()
        return note

    def close(self) -> None:
        """Let the in-memory copy go."""
        self.con.close()


# --------------------------------------------------------------------------------------------------------
# The pickers
# --------------------------------------------------------------------------------------------------------


class Pickers:
    """Year, stage, category, province and region dropdowns, and a refresh button; views listen to them."""

    def __init__(self, ws: Workspace) -> None:
        import ipywidgets as widgets

        self.ws = ws
        t = T[ws.lang]
        self.widgets = {f: widgets.Dropdown(description=t(f"pick_{f}")) for f in FIELDS}
        self.refresh_button = widgets.Button(description=t("refresh"), icon="refresh", tooltip=t("refresh_help"))
        self.status = widgets.Output()
        self._listeners: dict[str, tuple[set[str], Callable[[Selection], None]]] = {}
        self._busy = False
        self._fill(ws._start)
        self._last = self.selection()
        for picker in self.widgets.values():
            picker.observe(self._changed, names="value")
        self.refresh_button.on_click(self._refresh)
        row = widgets.HBox([*self.widgets.values(), self.refresh_button], layout={"flex_flow": "row wrap"})
        self.box = widgets.VBox([row, self.status], _dom_classes=["explore-pickers"])

    def selection(self) -> Selection:
        v = {f: w.value for f, w in self.widgets.items()}
        return Selection(int(v["year"]), int(v["stage"]), v["category"] or ALL, v["province"] or ALL, v["region"] or "")

    def listen(self, name: str, deps: set[str], show: Callable[[Selection], None]) -> None:
        """Call ``show`` when a picker in ``deps`` changes; a view of the same ``name`` replaces the earlier one."""
        self._listeners[name] = (deps, show)

    def _options(self, field: str, options: list[tuple[str, Any]], wanted: Any) -> None:
        picker = self.widgets[field]
        values = [v for _, v in options]
        picker.options = options
        picker.value = wanted if wanted in values else (values[0] if values else None)

    def _fill(self, want: Selection) -> None:
        """Every picker's options for the wanted selection, top-down; a wanted value no longer offered gives way."""
        t = T[self.ws.lang]
        evaluated = self.ws.evaluated()
        years = sorted({y for y, _ in evaluated})
        self._options("year", [(str(y), y) for y in years], want.year if want.year in years else years[-1])
        year = self.widgets["year"].value
        stages = [s for y, s in evaluated if y == year]
        self._options(
            "stage",
            [(stage_name(s, self.ws.lang), s) for s in stages],
            want.stage if want.stage in stages else stages[-1],
        )
        cohort = self.ws.cohort(year, self.widgets["stage"].value)
        cats = [c for c in charts.CATEGORY_ORDER if c in set(cohort["category"])]
        self._options("category", [(t("all"), ALL), *((c, c) for c in cats)], want.category)
        if self.widgets["category"].value:
            cohort = cohort[cohort["category"] == self.widgets["category"].value]
        provinces = sorted({p for p in cohort["province"] if not rules.missing(p) and p})
        self._options("province", [(t("all"), ALL), *((p, p) for p in provinces)], want.province)
        if self.widgets["province"].value:
            cohort = cohort[cohort["province"] == self.widgets["province"].value]
        rows = cohort.sort_values("region", key=lambda s: s.str.casefold())
        names = [
            (r.region if r.participant else t("region_not_participant", region=r.region), r.region_slug)
            for r in rows.itertuples()
        ]
        self._options("region", names, want.region)

    def _changed(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self._fill(self.selection())
        finally:
            self._busy = False
        self._notify()

    def _notify(self, everything: bool = False) -> None:
        sel = self.selection()
        changed = set(FIELDS) if everything else {f for f in FIELDS if getattr(sel, f) != getattr(self._last, f)}
        self._last = sel
        for deps, show in list(self._listeners.values()):
            if deps & changed:
                show(sel)

    def _refresh(self, _button: Any = None) -> None:
        """The refresh button: load the data folder into the store, read it again, show every view anew."""
        self.status.outputs = (_display_output(self.ws.refresh()),)

    def refilled(self) -> None:
        """Offer the choices of the store as read now, and show every view anew."""
        self._busy = True
        try:
            self._fill(self.selection())
        finally:
            self._busy = False
        self._notify(everything=True)


# --------------------------------------------------------------------------------------------------------
# Opening and refreshing the store
# --------------------------------------------------------------------------------------------------------


def _say(lang: str) -> Callable[[i18n.Message], None]:
    """Print a message (such as waiting for the store) in ``lang``."""
    return lambda message: print(message.text(lang), flush=True)


def _snapshot(db: Path, lang: str) -> Any:
    return store.snapshot(db, on_wait=_say(lang))


def refresh(data_dir: Path | str, db: Path | str, lang: str = "id") -> Any:
    """Load ``data_dir`` into the store (waiting while another process writes it); the outcome as a short note:
    the summary line, and every broken file with its problems."""
    from IPython.display import HTML

    report = store.ingest(data_dir, db, wait=store.WAIT_SECONDS, on_wait=_say(lang))
    lines = report.format(lang, only_problems=True).splitlines()
    return HTML("<pre class='explore-refresh'>" + escape("\n".join(lines)) + "</pre>")


def _needs_building(db: Path) -> bool:
    """A store that does not exist, or is of an older version, cannot be read: it is built (or upgraded) first."""
    if not db.exists():
        return True
    try:
        store.connect(db).close()
    except store.StoreError as exc:
        return exc.key == "outdated"
    except Exception:  # busy or unreadable: reading it (with waiting) says what is wrong
        return False
    return False


def open_workspace(
    db: Path | str = "../outputs/smartcity.duckdb",
    data_dir: Path | str = "../data/sample",
    *,
    lang: str = "id",
    refresh_store: bool = False,
    year: int = 2023,
    stage: int = 2,
    region: str = "",
) -> Workspace:
    """Read the store into memory and return the workspace; the pickers start at ``year``, ``stage``, ``region``.

    With ``refresh_store`` (or when the store does not exist yet, or is of an older version) the data folder is
    loaded into it first. Puts the table library into the page and shows what was read. Raises
    :class:`~smartcity_eval.results.store.StoreError` (in the user's language) when the store stays busy.
    """
    from IPython.display import HTML, display

    check_lang(lang)
    db, data_dir = Path(db), Path(data_dir)
    datatable.init()
    if refresh_store or _needs_building(db):
        display(refresh(data_dir, db, lang))
    ws = Workspace(_snapshot(db, lang), db, data_dir, lang, Selection(int(year), int(stage), ALL, ALL, region))
    display(HTML(_note(_store_line(ws))))
    return ws


def _store_line(ws: Workspace) -> str:
    """``Basis data ../outputs/smartcity.duckdb: 143 evaluasi, 137 daerah, 2022–2024``."""
    n, regions_, first, last = ws.con.execute(
        "SELECT count(*), count(DISTINCT region_slug), min(year), max(year) FROM evaluations"
    ).fetchone()
    years = "-" if first is None else (str(first) if first == last else f"{first}–{last}")
    return T(ws.lang, "store_line", db=ws.db, evaluations=n, regions=regions_, years=years)
