"""Report charts for Smart City evaluation results.

Every function returns a :class:`matplotlib.figure.Figure` built with the object API (``Figure()``), so
no pyplot state is touched: figures are never shown, never written and are freed when dereferenced. All
functions draw inside :func:`apply_style` and take ``lang`` ('id' or 'en') for labels and number format
(Indonesian uses the decimal comma: 2,94).

Labels of pillars, evaluation dimensions and action-plan categories come from the methodology files
(:mod:`smartcity_eval.method.methodology`), never from this module: charts that name them take ``year``, the
evaluation year whose methodology supplies the labels (the latest methodology year when omitted).

Colours: each pillar, evaluation dimension and action-plan category has a fixed colour whose greyscale
luma differs clearly from the others in its group, so charts survive black-and-white printing.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from smartcity_eval.common.i18n import check_lang, format_number
from smartcity_eval.method import methodology as mth

__all__ = [
    "ACTION_PLAN_COLOURS",
    "CATEGORY_ORDER",
    "CM",
    "DIMENSION_COLOURS",
    "DIMENSION_MARKERS",
    "LABEL_KINDS",
    "PILLAR_COLOURS",
    "PILLAR_HATCHES",
    "PILLAR_MARKERS",
    "SCORE_MAX",
    "SERIES_STYLES",
    "STYLE",
    "apply_style",
    "dimension_bars",
    "distribution",
    "greyscale_luma",
    "heatmap",
    "key_labels",
    "radar",
    "realisation_bars",
    "trajectory",
    "uplift_bars",
]

# --------------------------------------------------------------------------------------------------------
# Domain constants (keys and labels are the methodology's: mth.PILLAR_KEYS, mth.DIMENSION_KEYS, ...)
# --------------------------------------------------------------------------------------------------------

SCORE_MAX = 4.0

#: Participant categories in display order (others follow alphabetically).
CATEGORY_ORDER: tuple[str, ...] = ("REGULER", "KPPN&IKN")

# --------------------------------------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------------------------------------

# Colours: distinct hues, and greyscale luma (ITU-R BT.601) spaced ~0.13 apart within each group.
PILLAR_COLOURS: dict[str, str] = {
    "governance": "#163258",  # navy, luma 0.18
    "branding": "#9e4aba",  # purple, 0.44
    "economy": "#f5d382",  # sand/gold, 0.83
    "living": "#a82732",  # crimson, 0.31
    "society": "#43add0",  # sky blue, 0.57
    "environment": "#84d091",  # green, 0.70
}
PILLAR_HATCHES: dict[str, str] = {
    "governance": "",
    "branding": "//",
    "economy": "..",
    "living": "\\\\",
    "society": "xx",
    "environment": "--",
}
PILLAR_MARKERS: dict[str, str] = {
    "governance": "o",
    "branding": "s",
    "economy": "^",
    "living": "D",
    "society": "v",
    "environment": "P",
}
# Dimensions follow the results chain: dark (baseline) to light (kolaborasi).
DIMENSION_COLOURS: dict[str, str] = {
    "baseline": "#1e2f50",  # luma 0.18
    "output": "#5b3f83",  # 0.31
    "outcome": "#1f948a",  # 0.44
    "impact": "#e47741",  # 0.57
    "quick_win": "#9eca72",  # 0.70
    "kolaborasi": "#f3d86b",  # 0.83
}
DIMENSION_MARKERS: dict[str, str] = {
    "baseline": "o",
    "output": "s",
    "outcome": "^",
    "impact": "D",
    "quick_win": "v",
    "kolaborasi": "P",
}
ACTION_PLAN_COLOURS: dict[str, str] = {
    "kebijakan_kelembagaan": "#1b3150",  # luma 0.18
    "sdm": "#933162",  # 0.33
    "infrastruktur": "#b86c21",  # 0.48
    "aplikasi": "#4fc2cc",  # 0.63
    "literasi": "#e3d45a",  # 0.80
}
#: Line styles for "this year" / "last year" and other two-series comparisons.
SERIES_STYLES: dict[str, dict[str, Any]] = {
    "current": {"color": "#163258", "linestyle": "-", "marker": "o", "linewidth": 2.0, "markersize": 5.5},
    "previous": {"color": "#d9822b", "linestyle": "--", "marker": "s", "linewidth": 1.6, "markersize": 5.0},
}
_INK = "#222222"
_GRID = "#d0d0d0"
_MEDIAN = "#111111"
_HIGHLIGHT = "#c0392b"
_NAN_HATCH = "#b0b0b0"
_PREVIOUS_TEXT = "#8a4a0c"  # darker shade of the "previous" orange, readable as text

CM = 1 / 2.54

STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.labelcolor": _INK,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "grid.color": _GRID,
    "grid.linewidth": 0.6,
    "grid.linestyle": "-",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "text.color": _INK,
    "lines.solid_capstyle": "round",
    "hatch.linewidth": 0.6,
    "figure.dpi": 150,
    "savefig.dpi": 300,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.unicode_minus": True,
    "pdf.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "smartcity-eval",
    "figure.constrained_layout.h_pad": 0.04,
    "figure.constrained_layout.w_pad": 0.04,
}


def apply_style() -> AbstractContextManager[Any]:
    """Return the rc context shared by every chart (usable as ``with apply_style(): ...``)."""
    return mpl.rc_context(STYLE)


def greyscale_luma(colour: str | Sequence[float]) -> float:
    """Greyscale value (0 black – 1 white) of a colour, ITU-R BT.601 luma as used by print conversion."""
    r, g, b = to_rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


# --------------------------------------------------------------------------------------------------------
# Numbers and text
# --------------------------------------------------------------------------------------------------------


def _fmt(x: Any, decimals: int = 2, lang: str = "id") -> str:
    """:func:`smartcity_eval.common.i18n.format_number` that also accepts numpy scalars (NaN/None give "-")."""
    if isinstance(x, np.integer):
        x = int(x)
    elif isinstance(x, np.floating | float):
        x = float(x)
    return format_number(x, decimals, lang)


_TEXT: dict[str, dict[str, str]] = {
    "id": {
        "score": "Nilai (0–4)",
        "median": "Median kategori",
        "realisation": "Realisasi (%)",
        "total": "Total",
        "gain": "Tambahan Nilai Final jika skor naik ke 3",
        "score_now": "skor",
        "nilai_final": "Nilai Final",
        "year": "Tahun",
        "stage1": "Tahap I",
        "stage2": "Tahap II",
        "no_data": "Tidak ada data",
        "not_assessed": "tidak dinilai",
    },
    "en": {
        "score": "Score (0–4)",
        "median": "Category median",
        "realisation": "Realisation (%)",
        "total": "Total",
        "gain": "Nilai Final gain if the score is raised to 3",
        "score_now": "score",
        "nilai_final": "Nilai Final",
        "year": "Year",
        "stage1": "Stage I",
        "stage2": "Stage II",
        "no_data": "No data",
        "not_assessed": "not assessed",
    },
}


def _tick_formatter(lang: str, decimals: int | None = None) -> FuncFormatter:
    """Axis tick formatter with the language's decimal mark (auto decimals when ``decimals`` is None)."""

    def fmt(x: float, _pos: int | None = None) -> str:
        if decimals is not None:
            text = _fmt(x, decimals, lang)
        else:
            text = f"{x:.6f}".rstrip("0").rstrip(".")
            text = "0" if text in ("-0", "") else text
            if lang == "id":
                text = text.replace(".", ",")
        return text.replace("-", "\u2212")

    return FuncFormatter(fmt)


def _ordered_keys(keys: Iterable[Any], canonical: Sequence[str], what: str) -> list[str]:
    """Keys present in ``keys``, in canonical order; unknown keys raise ValueError."""
    present = [str(k) for k in keys]
    unknown = sorted(set(present) - set(canonical))
    if unknown:
        raise ValueError(f"unknown {what} key(s) {unknown}; expected some of {list(canonical)}")
    return [k for k in canonical if k in present]


#: What :func:`key_labels` names, and the methodology's keys of each, in canonical order.
LABEL_KINDS: dict[str, tuple[str, ...]] = {
    "dimension": mth.DIMENSION_KEYS,
    "pillar": mth.PILLAR_KEYS,
    "action_plan": mth.ACTION_PLAN_KEYS,
}


def _methodology(year: int | None) -> mth.Methodology:
    """The methodology of ``year``, or of the latest year that has one when ``year`` is None."""
    return mth.get(mth.years()[-1] if year is None else year)


def key_labels(kind: str, lang: str = "id", year: int | None = None) -> dict[str, str]:
    """Chart labels ``{key: label}`` of ``kind`` ('dimension', 'pillar', 'action_plan'), in canonical order.

    Taken from the methodology of ``year`` (the latest methodology year when None): short names of dimensions
    and action-plan categories ("Quick Wins", "SDM" / "Human resources"), pillar names ("Smart Governance").
    Only keys that year defines are present (2022 has no 'kolaborasi').
    """
    check_lang(lang)
    m = _methodology(year)
    if kind == "dimension":
        return {d.key: d.short(lang) for d in m.dimensions}
    if kind == "pillar":
        return {p.key: p.label(lang) for p in m.pillars}
    if kind == "action_plan":
        return {c.key: c.short(lang) for c in m.action_plan_categories}
    raise ValueError(f"kind must be one of {list(LABEL_KINDS)}, got {kind!r}")


def _labels_of(keys: Sequence[str], kind: str, lang: str, year: int | None) -> list[str]:
    """Labels of ``keys`` from :func:`key_labels`; a key the year's methodology lacks raises ValueError."""
    names = key_labels(kind, lang, year)
    missing = [k for k in keys if k not in names]
    if missing:
        raise ValueError(f"{kind} key(s) {missing} have no label in the {_methodology(year).year} methodology")
    return [names[k] for k in keys]


def _shorten(text: str, limit: int = 60, width: int = 36, max_lines: int = 2) -> str:
    """Truncate ``text`` to about ``limit`` characters (word boundary, '…'), wrapped in ``max_lines`` lines."""
    text = " ".join(str(text).split())
    while True:
        short = text
        if len(text) > limit:
            cut = text[: limit - 1]
            if " " in cut[limit // 2 :]:
                cut = cut[: cut.rindex(" ")]
            short = cut.rstrip(" ,.;:-") + "…"
        lines = textwrap.wrap(short, width=width, break_long_words=True)
        if len(lines) <= max_lines or limit <= width:
            return "\n".join(lines[:max_lines]) or short
        limit -= 4


def _new_figure(height_cm: float, width_cm: float = 16.0) -> Figure:
    return Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")


def _text_colour_on(colour: Any) -> str:
    return "white" if greyscale_luma(colour) < 0.5 else _INK


# --------------------------------------------------------------------------------------------------------
# 1. Radar
# --------------------------------------------------------------------------------------------------------


def radar(
    current: pd.Series,
    previous: pd.Series | None = None,
    *,
    lang: str = "id",
    labels: tuple[str, str] | None = None,
    year: int | None = None,
) -> Figure:
    """Radar of evaluation-dimension scores (0–4), this year vs. last year (dashed).

    One axis per dimension present in ``current`` (index = dimension keys), in canonical order, named from the
    methodology of ``year`` (latest when None). ``labels`` name the two series in the legend; by default the
    methodology year and the year before it. Dimensions missing from ``previous`` leave a gap in last year's
    outline.
    """
    check_lang(lang)
    dims = _ordered_keys(current.dropna().index, mth.DIMENSION_KEYS, "dimension")
    if len(dims) < 3:
        raise ValueError("radar needs at least 3 dimensions")
    axis_labels = _labels_of(dims, "dimension", lang, year)
    if labels is None:
        shown = _methodology(year).year
        labels = (str(shown), str(shown - 1))
    cur = current.reindex(dims).astype(float).to_numpy()
    prev = None if previous is None else previous.reindex(dims).astype(float).to_numpy()

    with apply_style():
        fig = _new_figure(12.5)
        ax = fig.subplots(subplot_kw={"projection": "polar"})
        n = len(dims)
        angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_ylim(0, SCORE_MAX)
        ax.set_rgrids(
            [1, 2, 3, 4],
            labels=[_tick_formatter(lang)(v) for v in (1, 2, 3, 4)],
            angle=90,
            fontsize=7,
            color="#666666",
        )
        ax.set_xticks(angles, axis_labels)
        ax.tick_params(axis="x", pad=14, labelsize=9)
        ax.grid(color=_GRID, linewidth=0.7)
        ax.spines["polar"].set_color("#999999")
        ax.spines["polar"].set_linewidth(0.8)

        closed = np.append(angles, angles[0])
        series = [("current", cur, labels[0])]
        if prev is not None:
            series.append(("previous", prev, labels[1]))
        for key, values, label in reversed(series):  # previous underneath
            style = SERIES_STYLES[key]
            ax.plot(
                closed,
                np.append(values, values[0]),
                label=label,
                gid=key,
                zorder=3 if key == "current" else 2,
                markerfacecolor=style["color"] if key == "current" else "white",
                markeredgewidth=1.3,
                **style,
            )
            if key == "current":
                ax.fill(
                    closed,
                    np.append(np.nan_to_num(values), np.nan_to_num(values[0])),
                    color=style["color"],
                    alpha=0.08,
                    zorder=1,
                )

        # value labels: the higher series outside its point, the lower one inside
        for i, angle in enumerate(angles):
            c = cur[i]
            p = prev[i] if prev is not None else np.nan
            for key, v, other in (("current", c, p), ("previous", p, c)):
                if np.isnan(v):
                    continue
                outward = np.isnan(other) or v >= other
                r = v + 0.42 if outward else max(v - 0.42, 0.25)
                ax.text(
                    angle,
                    r,
                    _fmt(v, 2, lang),
                    ha="center",
                    va="center",
                    gid=f"value-{key}",
                    fontsize=8 if key == "current" else 7,
                    clip_on=False,
                    color=SERIES_STYLES[key]["color"] if key == "current" else _PREVIOUS_TEXT,
                    fontweight="bold" if key == "current" else "normal",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                )
        handles, texts = ax.get_legend_handles_labels()  # drawn previous-first; list current first
        fig.legend(handles[::-1], texts[::-1], loc="outside lower center", ncols=2, handlelength=2.8)
    return fig


# --------------------------------------------------------------------------------------------------------
# 2. Dimension bars
# --------------------------------------------------------------------------------------------------------


def dimension_bars(
    scores: pd.Series, median: pd.Series | None = None, *, lang: str = "id", year: int | None = None
) -> Figure:
    """Horizontal bars of a region's dimension scores (0–4) with the category median as a tick.

    Dimensions are named from the methodology of ``year`` (latest when None).
    """
    check_lang(lang)
    dims = _ordered_keys(scores.index, mth.DIMENSION_KEYS, "dimension")
    names = _labels_of(dims, "dimension", lang, year)
    values = scores.reindex(dims).astype(float)
    with apply_style():
        fig = _new_figure(1.8 + 1.0 * len(dims))
        ax = fig.subplots()
        y = np.arange(len(dims))
        ax.barh(
            y,
            values.fillna(0).to_numpy(),
            height=0.62,
            color=[DIMENSION_COLOURS[d] for d in dims],
            edgecolor=_INK,
            linewidth=0.5,
            gid="scores",
        )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        for yi, v in zip(y, values, strict=True):
            text = _fmt(v, 2, lang) if not np.isnan(v) else _TEXT[lang]["not_assessed"]
            ax.text(
                (0 if np.isnan(v) else v) + 0.06,
                yi,
                text,
                va="center",
                ha="left",
                fontsize=8,
                fontweight="bold",
                gid="value-label",
            )
        if median is not None:
            med = median.reindex(dims).astype(float).to_numpy()
            (line,) = ax.plot(
                med,
                y,
                linestyle="none",
                marker="D",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=_MEDIAN,
                markeredgewidth=1.4,
                color=_MEDIAN,
                label=_TEXT[lang]["median"],
                gid="median",
                zorder=4,
            )
            fig.legend(handles=[line], labels=[_TEXT[lang]["median"]], loc="outside lower right")
        ax.set_xlim(0, SCORE_MAX + 0.45)
        ax.xaxis.set_major_locator(FixedLocator([0, 1, 2, 3, 4]))
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.spines["bottom"].set_bounds(0, SCORE_MAX)
        ax.set_xlabel(_TEXT[lang]["score"])
        ax.grid(axis="x")
        ax.tick_params(axis="y", length=0)
    return fig


# --------------------------------------------------------------------------------------------------------
# 3. Realisation
# --------------------------------------------------------------------------------------------------------


def realisation_bars(
    table: pd.DataFrame, *, kind: str = "programme", lang: str = "id", year: int | None = None
) -> Figure:
    """Bars of programme (per pillar) or action-plan (per category) realisation in percent.

    ``table``: index = pillar keys (``kind='programme'``) or action-plan category keys (``'action_plan'``),
    columns ``planned``, ``done``, ``percent``. Bars are labelled "done/planned (percent %)"; a dashed line
    marks the overall realisation (sum of done ÷ sum of planned). Pillars and categories are named from the
    methodology of ``year`` (latest when None), categories by their short names.
    """
    check_lang(lang)
    if kind == "programme":
        label_kind, colours = "pillar", PILLAR_COLOURS
    elif kind == "action_plan":
        label_kind, colours = "action_plan", ACTION_PLAN_COLOURS
    else:
        raise ValueError(f"kind must be 'programme' or 'action_plan', got {kind!r}")
    missing = {"planned", "done", "percent"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks column(s) {sorted(missing)}")
    keys = _ordered_keys(table.index, LABEL_KINDS[label_kind], kind)
    names = _labels_of(keys, label_kind, lang, year)
    data = table.reindex(keys)
    with apply_style():
        fig = _new_figure(2.2 + 0.95 * len(keys))
        ax = fig.subplots()
        y = np.arange(len(keys))
        pct = data["percent"].astype(float).to_numpy()
        ax.barh(
            y,
            np.nan_to_num(pct),
            height=0.62,
            color=[colours[k] for k in keys],
            edgecolor=_INK,
            linewidth=0.5,
            gid="realisation",
        )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        for yi, key, p in zip(y, keys, pct, strict=True):
            done, planned = data.at[key, "done"], data.at[key, "planned"]
            count = f"{_int_text(done)}/{_int_text(planned)}"
            text = count if np.isnan(p) else f"{count} ({_fmt(p, 2, lang)}%)"
            ax.text(
                (0 if np.isnan(p) else p) + 1.2,
                yi,
                text,
                va="center",
                ha="left",
                fontsize=8,
                gid="count-label",
                zorder=5,
                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"},
            )
        planned_sum = pd.to_numeric(data["planned"], errors="coerce").sum()
        done_sum = pd.to_numeric(data["done"], errors="coerce").sum()
        if planned_sum > 0:
            total = 100 * done_sum / planned_sum
            ax.axvline(total, color=_INK, linestyle=(0, (4, 2)), linewidth=1.0, gid="total", zorder=4)
            ax.text(
                total,
                1.0,
                f"{_TEXT[lang]['total']} {_int_text(done_sum)}/{_int_text(planned_sum)} ({_fmt(total, 2, lang)}%)",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=8,
                gid="total-label",
            )
        ax.set_xlim(0, 124)
        ax.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.spines["bottom"].set_bounds(0, 100)
        ax.set_xlabel(_TEXT[lang]["realisation"])
        ax.grid(axis="x")
        ax.tick_params(axis="y", length=0)
    return fig


def _int_text(x: Any) -> str:
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return "-"
    if math.isnan(xf):
        return "-"
    return str(int(xf)) if xf.is_integer() else _fmt(xf, 1, "en")


# --------------------------------------------------------------------------------------------------------
# 4. Uplift ("where the points are")
# --------------------------------------------------------------------------------------------------------


def uplift_bars(table: pd.DataFrame, *, lang: str = "id") -> Figure:
    """Horizontal bars of the Nilai Final gain per item if its score were raised to 3, largest on top.

    ``table`` columns: ``item_id``, ``label`` (wrapped/truncated to ~60 characters), ``score``, ``gain``.
    """
    check_lang(lang)
    missing = {"item_id", "label", "score", "gain"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks column(s) {sorted(missing)}")
    data = table.assign(gain=table["gain"].astype(float)).sort_values("gain", ascending=False, kind="stable")
    data = data.reset_index(drop=True)
    n = len(data)
    gains = data["gain"].to_numpy()
    top = float(np.nanmax(gains)) if n and np.isfinite(gains).any() else 0.0
    decimals = 3 if top < 0.1 else 2
    with apply_style():
        fig = _new_figure(max(5.0, 2.0 + 1.05 * n))
        ax = fig.subplots()
        if n == 0:
            ax.text(0.5, 0.5, _TEXT[lang]["no_data"], ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return fig
        y = np.arange(n)
        ax.barh(
            y,
            np.nan_to_num(gains),
            height=0.62,
            color=SERIES_STYLES["current"]["color"],
            edgecolor=_INK,
            linewidth=0.5,
            gid="gain",
        )
        ticks = [
            _shorten(f"{item} · {label}" if item else label, 60)
            for item, label in zip(data["item_id"].astype(str), data["label"].astype(str), strict=True)
        ]
        ax.set_yticks(y, ticks, fontsize=7.5)
        ax.invert_yaxis()
        span = top if top > 0 else 1.0
        for yi, g, s in zip(y, gains, data["score"].astype(float), strict=True):
            ax.text(
                (0 if np.isnan(g) else g) + 0.015 * span,
                yi,
                f"+{_fmt(g, decimals, lang)} ({_TEXT[lang]['score_now']} {_fmt(s, 2, lang)})",
                va="center",
                ha="left",
                fontsize=7.5,
                gid="gain-label",
            )
        ax.set_xlim(0, span * 1.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, min_n_ticks=3))
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.set_xlabel(_TEXT[lang]["gain"])
        ax.grid(axis="x")
        ax.tick_params(axis="y", length=0)
    return fig


# --------------------------------------------------------------------------------------------------------
# 5. Distribution
# --------------------------------------------------------------------------------------------------------


# ``vert`` is deprecated from Matplotlib 3.11; ``orientation`` only exists from 3.10.
_HORIZONTAL_BOXPLOT: dict[str, Any] = (
    {"orientation": "horizontal"}
    if tuple(int(p) for p in mpl.__version__.split(".")[:2]) >= (3, 10)
    else {"vert": False}
)


def distribution(finals: pd.DataFrame, *, highlight: str | None = None, lang: str = "id") -> Figure:
    """Box plot plus jittered points of Nilai Final (0–4) per participant category; ``highlight`` marked.

    ``finals`` columns: ``region``, ``category``, ``nilai_final``. Rows with a missing final are dropped;
    pass participants only (non-participants score 0 and must not enter cohort statistics).
    """
    check_lang(lang)
    missing = {"region", "category", "nilai_final"} - set(finals.columns)
    if missing:
        raise ValueError(f"finals lacks column(s) {sorted(missing)}")
    data = finals.dropna(subset=["nilai_final"]).reset_index(drop=True)
    if highlight is not None and not (data["region"] == highlight).any():
        raise ValueError(f"highlight region {highlight!r} not found in finals")
    present = list(dict.fromkeys(data["category"].astype(str)))
    cats = [c for c in CATEGORY_ORDER if c in present] + sorted(c for c in present if c not in CATEGORY_ORDER)
    rng = np.random.default_rng(20231201)  # deterministic jitter
    with apply_style():
        fig = _new_figure(9.5)
        ax = fig.subplots()
        groups = [data.loc[data["category"].astype(str) == c, "nilai_final"].astype(float).to_numpy() for c in cats]
        x = np.arange(len(cats))
        if cats:
            ax.boxplot(
                groups,
                positions=x,
                widths=0.5,
                **_HORIZONTAL_BOXPLOT,
                showfliers=False,
                patch_artist=True,
                medianprops={"color": _INK, "linewidth": 1.6},
                boxprops={"facecolor": "#e8edf3", "edgecolor": "#555555", "linewidth": 0.8},
                whiskerprops={"color": "#555555", "linewidth": 0.8},
                capprops={"color": "#555555", "linewidth": 0.8},
            )
        highlight_pos: tuple[float, float, str] | None = None
        for xi, cat in zip(x, cats, strict=True):
            in_cat = data["category"].astype(str) == cat
            is_highlight = in_cat & (data["region"] == highlight)
            vals = data.loc[in_cat & ~is_highlight, "nilai_final"].astype(float).to_numpy()
            jitter = rng.uniform(-0.17, 0.17, size=len(vals))
            ax.scatter(
                vals,
                xi + jitter,
                s=11,
                color="#6b7f99",
                alpha=0.75,
                linewidths=0,
                zorder=3,
                gid=f"points-{cat}",
            )
            if highlight is not None:
                for r in data.index[is_highlight]:
                    highlight_pos = (float(data.at[r, "nilai_final"]), float(xi), cat)
        if highlight_pos is not None:
            hv, hx, _ = highlight_pos
            ax.scatter(
                [hv],
                [hx],
                s=90,
                marker="D",
                color=_HIGHLIGHT,
                edgecolors="white",
                linewidths=1.0,
                zorder=5,
                gid="highlight",
            )
            ha = "right" if hv > SCORE_MAX * 0.7 else "left"
            ax.annotate(
                f"{highlight}: {_fmt(hv, 2, lang)}",
                xy=(hv, hx),
                xytext=(0, 26),
                textcoords="offset points",
                ha=ha,
                va="bottom",
                fontsize=8.5,
                fontweight="bold",
                color=_HIGHLIGHT,
                gid="highlight-label",
                arrowprops={
                    "arrowstyle": "-",
                    "color": _HIGHLIGHT,
                    "linewidth": 0.9,
                    "shrinkA": 0,
                    "shrinkB": 5,
                },
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
            )
        ax.set_yticks(x, [f"{c}\n(n = {len(g)})" for c, g in zip(cats, groups, strict=True)])
        ax.set_ylim(len(cats) - 0.4, -0.75)
        ax.set_xlim(-0.05, SCORE_MAX + 0.05)
        ax.xaxis.set_major_locator(FixedLocator([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]))
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.set_xlabel(_TEXT[lang]["nilai_final"])
        ax.grid(axis="x")
        ax.tick_params(axis="y", length=0)
    return fig


# --------------------------------------------------------------------------------------------------------
# 6. Heatmap
# --------------------------------------------------------------------------------------------------------


def heatmap(table: pd.DataFrame, *, lang: str = "id", year: int | None = None) -> Figure:
    """Regions × evaluation dimensions heatmap (0–4, cividis); values annotated when under 40 rows.

    NaN cells (e.g. Kolaborasi for REGULER) stay blank and lightly hatched. Dimensions are named from the
    methodology of ``year`` (latest when None).
    """
    check_lang(lang)
    dims = _ordered_keys(table.columns, mth.DIMENSION_KEYS, "dimension")
    names = _labels_of(dims, "dimension", lang, year)
    data = table[dims].astype(float)
    n = len(data)
    annotate = n < 40
    height_cm = min(2.6 + (0.55 if annotate else 0.3) * n, 25.0)
    row_pt = (height_cm - 2.6) * CM * 72 / max(n, 1)  # approximate height of one row in points
    ytick_size = 8.0 if annotate else min(7.0, max(3.5, 0.8 * row_pt))
    label_step = max(1, math.ceil(3.5 / (0.8 * row_pt))) if not annotate else 1
    with apply_style():
        fig = _new_figure(height_cm)
        ax = fig.subplots()
        cmap = mpl.colormaps["cividis"].with_extremes(bad="white")
        values = np.ma.masked_invalid(data.to_numpy())
        im = ax.imshow(values, cmap=cmap, vmin=0, vmax=SCORE_MAX, aspect="auto", interpolation="nearest")
        ax.set_xticks(np.arange(len(dims)), names)
        ax.xaxis.tick_top()
        ax.tick_params(axis="x", length=0, labelsize=8)
        rows = np.arange(0, n, label_step)
        ax.set_yticks(rows, [str(data.index[i]) for i in rows], fontsize=ytick_size)
        ax.tick_params(axis="y", length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        # thin white cell borders
        ax.set_xticks(np.arange(-0.5, len(dims)), minor=True)
        ax.set_yticks(np.arange(-0.5, n), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.0 if annotate else 0.3)
        ax.tick_params(which="minor", length=0)
        for i, j in zip(*np.nonzero(np.isnan(data.to_numpy())), strict=True):
            ax.add_patch(
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1,
                    1,
                    fill=False,
                    hatch="////",
                    edgecolor=_NAN_HATCH,
                    linewidth=0,
                    gid="nan-cell",
                )
            )
        if annotate:
            for i in range(n):
                for j in range(len(dims)):
                    v = data.iat[i, j]
                    if np.isnan(v):
                        continue
                    ax.text(
                        j,
                        i,
                        _fmt(v, 2, lang),
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color=_text_colour_on(cmap(v / SCORE_MAX)),
                        gid="cell-value",
                    )
        cbar = fig.colorbar(im, ax=ax, location="right", shrink=min(1.0, 8.0 / height_cm), aspect=18, pad=0.02)
        cbar.set_ticks([0, 1, 2, 3, 4])
        cbar.ax.yaxis.set_major_formatter(_tick_formatter(lang))
        cbar.set_label(_TEXT[lang]["score"])
        cbar.outline.set_visible(False)
    return fig


# --------------------------------------------------------------------------------------------------------
# 7. Trajectory
# --------------------------------------------------------------------------------------------------------


_STAGE1_SHIFT = 0.2


def trajectory(history: pd.DataFrame, *, lang: str = "id", year: int | None = None) -> Figure:
    """Nilai Final over the years: Tahap II solid line with filled markers, Tahap I hollow markers.

    Tahap I points sit slightly left of their year (the round precedes Tahap II) so both stay visible.

    ``history`` columns: ``year`` (int), ``stage`` (1 or 2), ``nilai_final``; dimension columns (keys of
    :data:`smartcity_eval.method.methodology.DIMENSION_KEYS`), if present, are drawn as thin Tahap II lines with
    their own colours and markers, named from the methodology of ``year`` (latest when None).
    """
    check_lang(lang)
    missing = {"year", "stage", "nilai_final"} - set(history.columns)
    if missing:
        raise ValueError(f"history lacks column(s) {sorted(missing)}")
    data = history.sort_values(["year", "stage"]).reset_index(drop=True)
    dims = [d for d in mth.DIMENSION_KEYS if d in data.columns and data[d].notna().any()]
    names = dict(zip(dims, _labels_of(dims, "dimension", lang, year), strict=True))
    colour = SERIES_STYLES["current"]["color"]
    stage2 = data[data["stage"] == 2]
    stage1 = data[data["stage"] == 1]
    with apply_style():
        fig = _new_figure(9.5)
        ax = fig.subplots()
        for d in dims:
            sub = stage2[["year", d]].dropna()
            ax.plot(
                sub["year"],
                sub[d],
                color=DIMENSION_COLOURS[d],
                marker=DIMENSION_MARKERS[d],
                markersize=4,
                linewidth=1.0,
                alpha=0.9,
                label=names[d],
                gid=f"dim-{d}",
                zorder=2,
                markeredgecolor=_INK if greyscale_luma(DIMENSION_COLOURS[d]) > 0.6 else DIMENSION_COLOURS[d],
                markeredgewidth=0.5,
            )
        s2 = stage2[["year", "nilai_final"]].dropna()
        ax.plot(
            s2["year"],
            s2["nilai_final"],
            color=colour,
            linestyle="-",
            linewidth=2.4,
            marker="o",
            markersize=7,
            markerfacecolor=colour,
            label=f"{_TEXT[lang]['nilai_final']} – {_TEXT[lang]['stage2']}",
            gid="stage2",
            zorder=4,
        )
        s1 = stage1[["year", "nilai_final"]].dropna()
        s1 = s1.assign(year=s1["year"] - _STAGE1_SHIFT)  # Tahap I comes earlier in the year
        if len(s1):
            ax.plot(
                s1["year"],
                s1["nilai_final"],
                color=SERIES_STYLES["previous"]["color"],
                linestyle=(0, (1, 2)),
                linewidth=1.2,
                marker="o",
                markersize=7,
                markerfacecolor="white",
                markeredgewidth=1.6,
                label=f"{_TEXT[lang]['nilai_final']} – {_TEXT[lang]['stage1']}",
                gid="stage1",
                zorder=4,
            )
        for rows, dy, weight, text_colour in ((s2, 9, "bold", colour), (s1, -13, "normal", _PREVIOUS_TEXT)):
            for yr, v in zip(rows["year"], rows["nilai_final"], strict=True):
                ax.annotate(
                    _fmt(v, 2, lang),
                    (yr, v),
                    xytext=(0, dy),
                    textcoords="offset points",
                    ha="center",
                    va="center",
                    fontsize=8,
                    fontweight=weight,
                    color=text_colour,
                    gid="value-label",
                    zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
                )
        years = sorted({int(y) for y in data["year"]})
        if years:
            ax.set_xticks(years, [str(y) for y in years])
            ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_ylim(0, SCORE_MAX)
        ax.yaxis.set_major_locator(FixedLocator([0, 1, 2, 3, 4]))
        ax.yaxis.set_major_formatter(_tick_formatter(lang))
        ax.set_ylabel(_TEXT[lang]["nilai_final"])
        ax.set_xlabel(_TEXT[lang]["year"])
        ax.grid(axis="y")
        handles, texts = ax.get_legend_handles_labels()
        order = [*range(len(dims), len(texts)), *range(len(dims))]  # Nilai Final first
        fig.legend(
            [handles[k] for k in order],
            [texts[k] for k in order],
            loc="outside lower center",
            ncols=2 if not dims else 4,
            handlelength=2.4,
        )
    return fig
