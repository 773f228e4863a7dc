"""Report charts for Smart City evaluation results.

Every chart function returns a :class:`Chart`: the :class:`matplotlib.figure.Figure`, built with the object API
(``Figure()``, so no pyplot state is touched: figures are never shown, never written and are freed when
dereferenced), and its alt text, which says what the chart shows with its values so a screen reader and the tagged
PDF carry the content, not just the title. All functions draw inside :func:`apply_style` and take ``lang`` ('id'
or 'en') for labels, alt text and number format (Indonesian uses the decimal comma: 2,94); their words are the
``charts`` section of the catalogues (:mod:`smartcity_eval.common.i18n`).

Labels of pillars, evaluation dimensions and action-plan categories come from the methodology files
(:mod:`smartcity_eval.method.methodology`), never from this module: charts that name them take ``year``, the
evaluation year whose methodology supplies the labels (the latest methodology year when omitted). Every chart
lists them in the methodology's order (``mth.DIMENSION_KEYS``, ``mth.PILLAR_KEYS``, ``mth.ACTION_PLAN_KEYS``).

Colours: one palette, defined here once and keyed by the methodology's keys. A dimension, pillar or action-plan
category wears the same colour in every chart; within each group the colours' greyscale luma differ clearly, so
charts survive black-and-white printing. Years and stages are told apart in black and grey (:data:`SERIES_STYLES`),
never in a colour a dimension, pillar or category wears; a distribution's highlighted region is red.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import check_lang, format_number, format_percent, stage_name
from smartcity_eval.method import methodology as mth
from smartcity_eval.reports import chart_layout as cl

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
    "Chart",
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

T = i18n.section("charts")


@dataclass(frozen=True)
class Chart:
    """A drawn chart and its alt text: what it shows, with its key values, in the chart's language."""

    figure: Figure
    alt: str


# --------------------------------------------------------------------------------------------------------
# Domain constants (keys and labels are the methodology's: mth.PILLAR_KEYS, mth.DIMENSION_KEYS, ...)
# --------------------------------------------------------------------------------------------------------

SCORE_MAX = 4.0

#: Participant categories in display order (others follow alphabetically).
CATEGORY_ORDER: tuple[str, ...] = ("REGULER", "KPPN&IKN")

# --------------------------------------------------------------------------------------------------------
# Style: the one palette
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
#: This year (and Nilai Final) against last year (and Tahap I): black and grey, solid and dashed, circle and
#: square; no dimension, pillar or category wears these colours.
SERIES_STYLES: dict[str, dict[str, Any]] = {
    "current": {"color": "#1a1a1a", "linestyle": "-", "marker": "o", "linewidth": 2.0, "markersize": 5.5},
    "previous": {"color": "#8c8c8c", "linestyle": "--", "marker": "s", "linewidth": 1.6, "markersize": 5.0},
}
_INK = "#222222"
_GRID = "#d0d0d0"
_MEDIAN = "#111111"
_HIGHLIGHT = "#c0392b"
_POINTS = "#6b7f99"
_BOX = "#e8edf3"
_NAN_HATCH = "#b0b0b0"
_PREVIOUS_TEXT = "#5e5e5e"  # darker shade of the "previous" grey, readable as text
_RING_TEXT = "#666666"

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


def _new_figure(height_cm: float, width_cm: float = 16.0, layout: str | None = None) -> Figure:
    """A figure of the report's width; the region report's charts place their plot themselves (:mod:`chart_layout`),
    the cohort's charts (``layout="constrained"``) leave it to Matplotlib."""
    return Figure(figsize=(width_cm * CM, height_cm * CM), layout=layout)


def _text_colour_on(colour: Any) -> str:
    return "white" if greyscale_luma(colour) < 0.5 else _INK


#: the gap between a bar chart's plot and its column of values, in plot widths
_COLUMN_GAP = 0.015


def _values_column(ax: Axes, y: Sequence[float], texts: Sequence[str], gid: str, **style: Any) -> None:
    """Value labels in a column right of the plot area, one per bar: clear of bars, markers and reference lines."""
    for yi, text in zip(y, texts, strict=True):
        ax.text(
            1 + _COLUMN_GAP,
            yi,
            text,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=8,
            gid=gid,
            **style,
        )


def _fit_bars(
    fig: Figure,
    names: Sequence[str],
    values: Sequence[str],
    *,
    weight: str = "normal",
    legend: bool = False,
    label_above: bool = False,
) -> None:
    """Place a bar chart's plot: its category names left, its column of ``values`` right (8 pt, ``weight``), the value
    axis below, a one-row legend under that when there is one, and a label above the plot when ``label_above``."""
    width = fig.get_size_inches()[0] * 72
    left = cl.left_of_plot(names, 8)
    column = cl.PAD + cl.text_width(values, 8, weight)
    plot = (width - left - column) / (1 + _COLUMN_GAP)
    top = cl.PAD + (cl.lines_height(1, 9) if label_above else cl.AIR)
    cl.Margins(left=left, right=width - left - plot, bottom=cl.below_plot(int(legend)), top=top).apply(fig)


def _bar_axis(ax: Axes, names: Sequence[str], label: str, top: float, ticks: Sequence[float], lang: str) -> None:
    """Category names on y (first on top), the value axis 0–``top`` on x with its grid and label."""
    ax.set_yticks(np.arange(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, top)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(_tick_formatter(lang))
    ax.set_xlabel(label)
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)


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
) -> Chart:
    """Radar of evaluation-dimension scores (0–4), this year (solid) and, when given, last year (dashed).

    One axis per dimension present in ``current`` (index = dimension keys), in canonical order, named from the
    methodology of ``year`` (latest when None). ``labels`` name the two series in the legend and the alt text; by
    default the methodology year and the year before it. Dimensions missing from ``previous`` leave a gap in last
    year's outline; a ``previous`` without any value is no previous. The scale's ring labels sit half-way between
    the two axes where they are clearest of the value labels.
    """
    t = T[lang]
    dims = _ordered_keys(current.dropna().index, mth.DIMENSION_KEYS, "dimension")
    if len(dims) < 3:
        raise ValueError("radar needs at least 3 dimensions")
    names = _labels_of(dims, "dimension", lang, year)
    if labels is None:
        shown = _methodology(year).year
        labels = (str(shown), str(shown - 1))
    cur = current.reindex(dims).astype(float).to_numpy()
    prev = None if previous is None else previous.reindex(dims).astype(float).to_numpy()
    prev = None if prev is None or np.isnan(prev).all() else prev
    with apply_style():
        fig = _new_figure(12.5)
        ax = fig.subplots(subplot_kw={"projection": "polar"})
        angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
        placed = _radar_label_radii(cur, prev)
        _radar_frame(ax, angles, names, *_ring_labels(angles, placed), lang)
        if prev is not None:
            _radar_outline(ax, angles, prev, "previous", labels[1])
        _radar_outline(ax, angles, cur, "current", labels[0])
        _radar_values(ax, angles, placed, lang)
        handles, texts = ax.get_legend_handles_labels()  # drawn previous-first; list current first
        cl.bottom_legend(fig, handles[::-1], texts[::-1], ncols=2, handlelength=2.8)
        _fit_radar(fig, names)
    return Chart(fig, t("alt_radar", series=labels[0], values=_radar_alt(names, cur, prev, labels[1], lang)))


def _radar_frame(
    ax: Axes, angles: np.ndarray, names: Sequence[str], ring_angle: float, labelled: Sequence[int], lang: str
) -> None:
    """Axes clockwise from the top; rings 1–4, those in ``labelled`` labelled along ``ring_angle`` (degrees)."""
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, SCORE_MAX)
    texts = [_tick_formatter(lang)(k) if k in labelled else "" for k in _RINGS]
    box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}
    ax.set_rgrids(_RINGS, texts, angle=ring_angle, fontsize=6.5, color=_RING_TEXT, bbox=box)
    ax.yaxis.set_zorder(4)  # ring labels over the outlines, under the value labels
    ax.set_xticks(angles, names)
    ax.tick_params(axis="x", pad=_RADAR_PAD, labelsize=9)
    ax.grid(color=_GRID, linewidth=0.7)
    ax.spines["polar"].set_color("#999999")
    ax.spines["polar"].set_linewidth(0.8)


def _fit_radar(fig: Figure, names: Sequence[str]) -> None:
    """Place the radar: the dimension names (9 pt) stand :data:`_RADAR_PAD` outside its circle, the legend below."""
    beyond = _RADAR_PAD + cl.TICK + cl.lines_height(1, 9)  # the names are centred a tick's length further out
    side = cl.PAD + _RADAR_PAD + cl.text_width(names, 9)
    bottom = cl.PAD + cl.legend_height(1, 8) + cl.PAD + beyond
    cl.Margins(left=side, right=side, bottom=bottom, top=cl.PAD + beyond).apply(fig)


#: points between the radar's circle and the dimension names around it
_RADAR_PAD = 24


def _radar_label_radii(cur: np.ndarray, prev: np.ndarray | None) -> list[tuple[int, str, float, float]]:
    """``(axis, series, radius, value)`` of each value label.

    On each axis the higher value's label sits outside its point; the lower one's inside its point, or, where that
    would crowd the centre, between the two points when they are apart, else beyond the higher label.
    """
    step = 0.42
    placed = []
    for i, c in enumerate(cur):
        p = prev[i] if prev is not None else np.nan
        if np.isnan(p):
            placed.append((i, "current", c + step, c))
            continue
        (hi_key, hi), (lo_key, lo) = sorted((("current", c), ("previous", p)), key=lambda kv: -kv[1])
        if lo - step >= 0.7:
            lo_r = lo - step
        elif hi - lo >= 2 * step:
            lo_r = lo + step
        else:
            lo_r = hi + 2 * step
        placed += [(i, hi_key, hi + step, hi), (i, lo_key, lo_r, lo)]
    return placed


#: Rings of the radar's scale, and how near (in score units) a value label may come to a ring label before the
#: ring label gives way (the ring itself stays).
_RINGS = (1, 2, 3, 4)
_RING_CLEARANCE = 0.55


def _ring_labels(angles: np.ndarray, placed: Sequence[tuple[int, str, float, float]]) -> tuple[float, list[int]]:
    """Where the scale is labelled: the middle of the gap between two axes whose ring labels lie furthest from any
    value label (degrees), and the rings labelled there (all but those a value label still crowds)."""
    points = np.array([(r * np.sin(angles[i]), r * np.cos(angles[i])) for i, _, r, _ in placed])

    def distances(mid: float) -> np.ndarray:
        rings = np.array([(k * np.sin(mid), k * np.cos(mid)) for k in _RINGS])
        return np.hypot(*(rings[:, None, :] - points[None, :, :]).transpose(2, 0, 1)).min(axis=1)

    best = max(angles + np.pi / len(angles), key=lambda mid: float(distances(mid).min()))
    clear = [k for k, d in zip(_RINGS, distances(best), strict=True) if d >= _RING_CLEARANCE]
    return float(np.degrees(best)), clear


def _radar_outline(ax: Axes, angles: np.ndarray, values: np.ndarray, key: str, label: str) -> None:
    """One series as a closed outline (this year's lightly filled, on top)."""
    style = SERIES_STYLES[key]
    closed = np.append(angles, angles[0])
    current = key == "current"
    ax.plot(
        closed,
        np.append(values, values[0]),
        label=label,
        gid=key,
        zorder=3 if current else 2,
        markerfacecolor=style["color"] if current else "white",
        markeredgewidth=1.3,
        **style,
    )
    if current:
        filled = np.nan_to_num(values)
        ax.fill(closed, np.append(filled, filled[0]), color=style["color"], alpha=0.07, zorder=1)


def _radar_values(ax: Axes, angles: np.ndarray, placed: Sequence[tuple[int, str, float, float]], lang: str) -> None:
    """The value labels at the radii :func:`_radar_label_radii` chose: this year bold and dark, last year grey."""
    for i, key, radius, value in placed:
        current = key == "current"
        ax.text(
            angles[i],
            radius,
            _fmt(value, 2, lang),
            ha="center",
            va="center",
            gid=f"value-{key}",
            fontsize=8 if current else 7,
            clip_on=False,
            zorder=5,
            color=SERIES_STYLES[key]["color"] if current else _PREVIOUS_TEXT,
            fontweight="bold" if current else "normal",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _radar_alt(names: Sequence[str], cur: np.ndarray, prev: np.ndarray | None, label: str, lang: str) -> str:
    """``Baseline 3,28 (2023: 3,20), Output 2,26 (2023: 2,11), …`` (last year only where it has a value)."""
    items = []
    for i, name in enumerate(names):
        item = f"{name} {_fmt(cur[i], 2, lang)}"
        if prev is not None and not np.isnan(prev[i]):
            item += f" ({label}: {_fmt(prev[i], 2, lang)})"
        items.append(item)
    return ", ".join(items)


# --------------------------------------------------------------------------------------------------------
# 2. Dimension bars
# --------------------------------------------------------------------------------------------------------


def dimension_bars(
    scores: pd.Series, median: pd.Series | None = None, *, lang: str = "id", year: int | None = None
) -> Chart:
    """Horizontal bars of a region's dimension scores (0–4), with the category median as a diamond on each bar.

    Bars wear their dimension's colour; the scores stand in a column right of the plot, clear of the median
    marks. A median with no value at all is treated as no median. Dimensions are named from the methodology of
    ``year`` (latest when None).
    """
    t = T[lang]
    dims = _ordered_keys(scores.index, mth.DIMENSION_KEYS, "dimension")
    names = _labels_of(dims, "dimension", lang, year)
    values = scores.reindex(dims).astype(float)
    med = None if median is None else median.reindex(dims).astype(float)
    med = None if med is None or med.isna().all() else med
    texts = [t("not_assessed") if np.isnan(v) else _fmt(v, 2, lang) for v in values]
    with apply_style():
        fig = _new_figure(1.8 + 1.0 * len(dims))
        ax = fig.subplots()
        y = np.arange(len(dims))
        colours = [DIMENSION_COLOURS[d] for d in dims]
        ax.barh(y, values.fillna(0), height=0.62, color=colours, edgecolor=_INK, linewidth=0.5, gid="scores")
        _values_column(ax, y, texts, "value-label", fontweight="bold")
        if med is not None:
            _median_marks(fig, ax, med.to_numpy(), y, t("median"))
        _bar_axis(ax, names, t("score"), SCORE_MAX, [0, 1, 2, 3, 4], lang)
        _fit_bars(fig, names, texts, weight="bold", legend=med is not None)
    items = [f"{name} {text}" for name, text in zip(names, texts, strict=True)]
    if med is None:
        return Chart(fig, t("alt_bars_alone", values=", ".join(items)))
    items = [f"{item} ({t('alt_median', value=_fmt(m, 2, lang))})" for item, m in zip(items, med, strict=True)]
    return Chart(fig, t("alt_bars", values=", ".join(items)))


def _median_marks(fig: Figure, ax: Axes, med: np.ndarray, y: np.ndarray, label: str) -> None:
    """The category median: a hollow diamond on each bar, named in a legend under the plot."""
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
        label=label,
        gid="median",
        zorder=4,
    )
    cl.bottom_legend(fig, [line], [label], ncols=1, right=True)


# --------------------------------------------------------------------------------------------------------
# 3. Realisation
# --------------------------------------------------------------------------------------------------------


def realisation_bars(
    table: pd.DataFrame, *, kind: str = "programme", lang: str = "id", year: int | None = None
) -> Chart:
    """Bars of programme (per pillar) or action-plan (per category) realisation in percent.

    ``table``: index = pillar keys (``kind='programme'``) or action-plan category keys (``'action_plan'``),
    columns ``planned``, ``done``, ``percent``. Bars wear their pillar's or category's colour; "done/planned
    (percent %)" stands in a column right of the plot; a dashed line marks the overall realisation (sum of done ÷
    sum of planned). Pillars and categories are named from the methodology of ``year`` (latest when None),
    categories by their short names.
    """
    t = T[lang]
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
    pct = data["percent"].astype(float).to_numpy()
    texts = [_count_text(data.at[k, "done"], data.at[k, "planned"], p, lang) for k, p in zip(keys, pct, strict=True)]
    done_sum = pd.to_numeric(data["done"], errors="coerce").sum()
    planned_sum = pd.to_numeric(data["planned"], errors="coerce").sum()
    total = 100 * done_sum / planned_sum if planned_sum > 0 else math.nan
    total_text = _count_text(done_sum, planned_sum, total, lang)
    with apply_style():
        fig = _new_figure(2.2 + 0.95 * len(keys))
        ax = fig.subplots()
        y = np.arange(len(keys))
        colour = [colours[k] for k in keys]
        ax.barh(y, np.nan_to_num(pct), height=0.62, color=colour, edgecolor=_INK, linewidth=0.5, gid="realisation")
        _values_column(ax, y, texts, "count-label")
        if not math.isnan(total):
            ax.axvline(total, color=_INK, linestyle=(0, (4, 2)), linewidth=1.0, gid="total", zorder=4)
            label = f"{t('total')} {total_text}"
            ax.text(total, 1.0, label, transform=ax.get_xaxis_transform(), ha="center", va="bottom", gid="total-label")
        _bar_axis(ax, names, t("realisation"), 100, [0, 20, 40, 60, 80, 100], lang)
        _fit_bars(fig, names, texts, label_above=not math.isnan(total))
    values = ", ".join(f"{name} {text}" for name, text in zip(names, texts, strict=True))
    if kind == "programme":
        return Chart(fig, t("alt_programme", values=values, total=total_text))
    return Chart(fig, t("alt_action_plan", values=values, total=total_text))


def _count_text(done: Any, planned: Any, percent: float, lang: str) -> str:
    """``87/123 (70,73%)``; the count alone when the percentage is missing."""
    count = f"{_int_text(done)}/{_int_text(planned)}"
    return count if math.isnan(percent) else f"{count} ({format_percent(float(percent), 2, lang)})"


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


def uplift_bars(table: pd.DataFrame, *, lang: str = "id", year: int | None = None) -> Chart:
    """Horizontal bars of the Nilai Final gain per item if its score were raised to 3, largest on top.

    ``table`` columns: ``item_id``, ``dimension`` (key), ``label`` (wrapped/truncated to ~60 characters on the
    axis, whole in the alt text), ``score``, ``gain``. Bars wear their dimension's colour, named in a legend from
    the methodology of ``year`` (latest when None).
    """
    t = T[lang]
    missing = {"item_id", "dimension", "label", "score", "gain"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks column(s) {sorted(missing)}")
    data = table.assign(gain=table["gain"].astype(float)).sort_values("gain", ascending=False, kind="stable")
    data = data.reset_index(drop=True)
    gains = data["gain"].to_numpy()
    top = float(np.nanmax(gains)) if len(data) and np.isfinite(gains).any() else 0.0
    decimals = 3 if top < 0.1 else 2
    texts = [
        f"+{_fmt(g, decimals, lang)} ({t('score_now')} {_fmt(s, 2, lang)})"
        for g, s in zip(gains, data["score"].astype(float), strict=True)
    ]
    with apply_style():
        fig = _new_figure(max(5.0, 2.0 + 1.05 * len(data)))
        ax = fig.subplots()
        if data.empty:
            ax.text(0.5, 0.5, t("no_data"), ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return Chart(fig, t("no_data"))
        ticks = _uplift_draw(fig, ax, data, texts, top if top > 0 else 1.0, lang, year)
        ax.set_xlabel(t("gain"))
        _fit_uplift(fig, ticks, [ax.xaxis.get_major_formatter()(x) for x in ax.get_xticks()])
    items = [f"{i} {label} {text}" for i, label, text in zip(data["item_id"], data["label"], texts, strict=True)]
    return Chart(fig, t("alt_uplift", values=", ".join(items)))


def _uplift_draw(
    fig: Figure, ax: Axes, data: pd.DataFrame, texts: Sequence[str], span: float, lang: str, year: int | None
) -> list[str]:
    """Bars in their dimension's colour with gain labels at their ends, item codes and labels on y, a legend; the
    labels on y."""
    y = np.arange(len(data))
    dims = _ordered_keys(set(data["dimension"]), mth.DIMENSION_KEYS, "dimension")
    colours = [DIMENSION_COLOURS[d] for d in data["dimension"]]
    ax.barh(y, np.nan_to_num(data["gain"]), height=0.62, color=colours, edgecolor=_INK, linewidth=0.5, gid="gain")
    ticks = [
        _shorten(f"{item} · {label}" if item else label, 60)
        for item, label in zip(data["item_id"].astype(str), data["label"].astype(str), strict=True)
    ]
    ax.set_yticks(y, ticks, fontsize=7.5)
    ax.invert_yaxis()
    for yi, g, text in zip(y, data["gain"], texts, strict=True):
        ax.text((0 if np.isnan(g) else g) + 0.015 * span, yi, text, va="center", fontsize=7.5, gid="gain-label")
    ax.set_xlim(0, span * 1.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, min_n_ticks=3))
    ax.xaxis.set_major_formatter(_tick_formatter(lang))
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    handles = [Patch(facecolor=DIMENSION_COLOURS[d], edgecolor=_INK, linewidth=0.5) for d in dims]
    cl.bottom_legend(fig, handles, _labels_of(dims, "dimension", lang, year), ncols=len(dims))
    return ticks


def _fit_uplift(fig: Figure, ticks: Sequence[str], values: Sequence[str]) -> None:
    """Place the uplift plot: item labels left (7.5 pt), half a value tick right, the gain axis and legend below."""
    right = cl.PAD + cl.text_width(values, 8) / 2
    cl.Margins(left=cl.left_of_plot(ticks, 7.5), right=right, bottom=cl.below_plot(1), top=cl.PAD + cl.AIR).apply(fig)


# --------------------------------------------------------------------------------------------------------
# 5. Distribution
# --------------------------------------------------------------------------------------------------------


# ``vert`` is deprecated from Matplotlib 3.11; ``orientation`` only exists from 3.10.
_HORIZONTAL_BOXPLOT: dict[str, Any] = (
    {"orientation": "horizontal"}
    if tuple(int(p) for p in mpl.__version__.split(".")[:2]) >= (3, 10)
    else {"vert": False}
)


def distribution(finals: pd.DataFrame, *, highlight: str | None = None, lang: str = "id") -> Chart:
    """Box plot plus jittered points of Nilai Final (0–4) per participant category; ``highlight`` marked.

    ``finals`` columns: ``region``, ``category``, ``nilai_final``. Rows with a missing final are dropped;
    pass participants only (non-participants score 0 and must not enter cohort statistics). The alt text gives
    each category's count, median and range, and the highlighted region's final.
    """
    t = T[lang]
    missing = {"region", "category", "nilai_final"} - set(finals.columns)
    if missing:
        raise ValueError(f"finals lacks column(s) {sorted(missing)}")
    data = finals.dropna(subset=["nilai_final"]).reset_index(drop=True)
    data = data.assign(category=data["category"].astype(str), nilai_final=data["nilai_final"].astype(float))
    if highlight is not None and not (data["region"] == highlight).any():
        raise ValueError(f"highlight region {highlight!r} not found in finals")
    present = list(dict.fromkeys(data["category"]))
    cats = [c for c in CATEGORY_ORDER if c in present] + sorted(c for c in present if c not in CATEGORY_ORDER)
    groups = [data.loc[data["category"] == c, "nilai_final"].to_numpy() for c in cats]
    with apply_style():
        fig = _new_figure(9.5, layout="constrained")
        ax = fig.subplots()
        _distribution_draw(ax, data, cats, groups, highlight)
        _distribution_legend(fig, t)
        if highlight is not None:
            _distribution_highlight(ax, data, cats, highlight, lang)
        ax.set_yticks(np.arange(len(cats)), [f"{c}\n(n = {len(g)})" for c, g in zip(cats, groups, strict=True)])
        ax.set_ylim(len(cats) - 0.4, -0.75)
        ax.set_xlim(-0.05, SCORE_MAX + 0.05)
        ax.xaxis.set_major_locator(FixedLocator([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]))
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.set_xlabel(t("nilai_final"))
        ax.grid(axis="x")
        ax.tick_params(axis="y", length=0)
    return Chart(fig, _distribution_alt(data, cats, groups, highlight, lang))


def _distribution_draw(
    ax: Axes, data: pd.DataFrame, cats: Sequence[str], groups: Sequence[np.ndarray], highlight: str | None
) -> None:
    """One box per category (no outliers: every participant is a point) and its participants as jittered points."""
    x = np.arange(len(cats))
    rng = np.random.default_rng(20231201)  # deterministic jitter
    if cats:
        ax.boxplot(
            groups,
            positions=x,
            widths=0.5,
            **_HORIZONTAL_BOXPLOT,
            whis=(0, 100),  # whiskers from the lowest to the highest final
            showfliers=False,
            patch_artist=True,
            medianprops={"color": _INK, "linewidth": 1.6},
            boxprops={"facecolor": _BOX, "edgecolor": "#555555", "linewidth": 0.8},
            whiskerprops={"color": "#555555", "linewidth": 0.8},
            capprops={"color": "#555555", "linewidth": 0.8},
        )
    for xi, cat in zip(x, cats, strict=True):
        rows = (data["category"] == cat) & (data["region"] != highlight)
        vals = data.loc[rows, "nilai_final"].to_numpy()
        jitter = rng.uniform(-0.17, 0.17, size=len(vals))
        ax.scatter(vals, xi + jitter, s=11, color=_POINTS, alpha=0.75, linewidths=0, zorder=3, gid=f"points-{cat}")


def _distribution_legend(fig: Figure, t: i18n.Messages) -> None:
    """What each mark of the box plot is: the box, its median line, the whiskers and the points."""
    box = Patch(facecolor=_BOX, edgecolor="#555555", linewidth=0.8)
    median = Line2D([], [], color=_INK, linewidth=1.6)
    whisker = Line2D([], [], color="#555555", linewidth=0.8, marker="|", markersize=8)
    point = Line2D([], [], linestyle="none", marker="o", markersize=3.5, color=_POINTS, markeredgewidth=0)
    labels = [t("quartiles"), t("median"), t("range"), t("participant")]
    fig.legend([box, median, whisker, point], labels, loc="outside lower center", ncols=4)


def _distribution_highlight(ax: Axes, data: pd.DataFrame, cats: Sequence[str], region: str, lang: str) -> None:
    """The highlighted region: a red diamond on its category's row, named with its final above it."""
    row = data[data["region"] == region].iloc[-1]
    hv, hx = float(row["nilai_final"]), float(cats.index(row["category"]))
    ax.scatter(
        [hv], [hx], s=90, marker="D", color=_HIGHLIGHT, edgecolors="white", linewidths=1.0, zorder=5, gid="highlight"
    )
    ax.annotate(
        f"{region}: {_fmt(hv, 2, lang)}",
        xy=(hv, hx),
        xytext=(0, 26),
        textcoords="offset points",
        ha="right" if hv > SCORE_MAX * 0.7 else "left",
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
        color=_HIGHLIGHT,
        gid="highlight-label",
        arrowprops={"arrowstyle": "-", "color": _HIGHLIGHT, "linewidth": 0.9, "shrinkA": 0, "shrinkB": 5},
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )


def _distribution_alt(
    data: pd.DataFrame, cats: Sequence[str], groups: Sequence[np.ndarray], highlight: str | None, lang: str
) -> str:
    """Each category's count, median and range; then the highlighted region's final."""
    t = T[lang]
    parts = [
        t(
            "alt_category",
            category=cat,
            n=len(g),
            median=_fmt(np.median(g), 2, lang),
            low=_fmt(g.min(), 2, lang),
            high=_fmt(g.max(), 2, lang),
        )
        for cat, g in zip(cats, groups, strict=True)
    ]
    text = t("alt_distribution", values="; ".join(parts))
    if highlight is None:
        return text
    value = data.loc[data["region"] == highlight, "nilai_final"].iloc[-1]
    return f"{text} {t('alt_highlight', region=highlight, value=_fmt(value, 2, lang))}"


# --------------------------------------------------------------------------------------------------------
# 6. Heatmap
# --------------------------------------------------------------------------------------------------------


#: Up to this many regions the heatmap writes each cell's value (and the alt text lists them).
_ANNOTATE_BELOW = 40


def heatmap(table: pd.DataFrame, *, lang: str = "id", year: int | None = None) -> Chart:
    """Regions × evaluation dimensions heatmap (0–4, cividis); values annotated when under 40 rows.

    NaN cells (Kolaborasi for REGULER, dimensions a published table lacks) stay blank and lightly hatched, and a
    legend says so. Dimensions are named from the methodology of ``year`` (latest when None). The alt text lists
    every region's scores when the cells are annotated, and each dimension's median over the regions otherwise.
    """
    t = T[lang]
    dims = _ordered_keys(table.columns, mth.DIMENSION_KEYS, "dimension")
    names = _labels_of(dims, "dimension", lang, year)
    data = table[dims].astype(float)
    n = len(data)
    annotate = n < _ANNOTATE_BELOW
    height_cm = min(2.6 + (0.55 if annotate else 0.3) * n, 25.0)
    with apply_style():
        fig = _new_figure(height_cm + (0.6 if data.isna().any().any() else 0), layout="constrained")
        ax = fig.subplots()
        cmap = mpl.colormaps["cividis"].with_extremes(bad="white")
        im = ax.imshow(
            np.ma.masked_invalid(data.to_numpy()),
            cmap=cmap,
            vmin=0,
            vmax=SCORE_MAX,
            aspect="auto",
            interpolation="nearest",
        )
        _heatmap_grid(ax, data, names, height_cm, annotate)
        _heatmap_blanks(fig, ax, data, t("blank"))
        if annotate:
            _heatmap_values(ax, data, cmap, lang)
        cbar = fig.colorbar(im, ax=ax, location="right", shrink=min(1.0, 8.0 / height_cm), aspect=18, pad=0.02)
        cbar.set_ticks([0, 1, 2, 3, 4])
        cbar.ax.yaxis.set_major_formatter(_tick_formatter(lang))
        cbar.set_label(t("score"))
        cbar.outline.set_visible(False)
    return Chart(fig, _heatmap_alt(data, names, annotate, lang))


def _heatmap_grid(ax: Axes, data: pd.DataFrame, names: Sequence[str], height_cm: float, annotate: bool) -> None:
    """Dimension names on top, region names on the left (thinned when rows are too small), white cell borders."""
    n = len(data)
    row_pt = (height_cm - 2.6) * CM * 72 / max(n, 1)  # approximate height of one row in points
    ytick_size = 8.0 if annotate else min(7.0, max(3.5, 0.8 * row_pt))
    label_step = max(1, math.ceil(3.5 / (0.8 * row_pt))) if not annotate else 1
    ax.set_xticks(np.arange(len(names)), names)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, labelsize=8)
    rows = np.arange(0, n, label_step)
    ax.set_yticks(rows, [str(data.index[i]) for i in rows], fontsize=ytick_size)
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(-0.5, len(names)), minor=True)
    ax.set_yticks(np.arange(-0.5, n), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0 if annotate else 0.3)
    ax.tick_params(which="minor", length=0)


def _heatmap_blanks(fig: Figure, ax: Axes, data: pd.DataFrame, label: str) -> None:
    """Hatch the cells without a value, and name the hatching in a legend under the map."""
    blank = np.isnan(data.to_numpy())
    hatch = {"hatch": "////", "edgecolor": _NAN_HATCH}
    for i, j in zip(*np.nonzero(blank), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, linewidth=0, gid="nan-cell", **hatch))
    if blank.any():
        key = Patch(facecolor="white", linewidth=0.6, **hatch)
        fig.legend([key], [label], loc="outside lower left", handlelength=2.0, handleheight=1.2)


def _heatmap_values(ax: Axes, data: pd.DataFrame, cmap: Any, lang: str) -> None:
    """Each cell's value, in white on dark cells and in ink on light ones."""
    for i in range(len(data)):
        for j in range(data.shape[1]):
            v = data.iat[i, j]
            if np.isnan(v):
                continue
            colour = _text_colour_on(cmap(v / SCORE_MAX))
            ax.text(j, i, _fmt(v, 2, lang), ha="center", va="center", fontsize=7.5, color=colour, gid="cell-value")


def _heatmap_alt(data: pd.DataFrame, names: Sequence[str], every_row: bool, lang: str) -> str:
    """Every region's scores (``Kab. Malang: Baseline 3,60, …``) or, for many regions, each dimension's median."""
    t = T[lang]
    if not every_row:
        medians = [f"{name} {_fmt(data[col].median(), 2, lang)}" for name, col in zip(names, data.columns, strict=True)]
        return t("alt_heatmap_medians", n=len(data), values=", ".join(medians))
    rows = []
    for region, scores in data.iterrows():
        cells = [f"{name} {_fmt(v, 2, lang)}" for name, v in zip(names, scores, strict=True) if not np.isnan(v)]
        rows.append(f"{region}: {', '.join(cells)}")
    text = t("alt_heatmap", values="; ".join(rows))
    return f"{text} {t('alt_blank')}" if data.isna().any().any() else text


# --------------------------------------------------------------------------------------------------------
# 7. Trajectory
# --------------------------------------------------------------------------------------------------------


_STAGE1_SHIFT = 0.2


def trajectory(history: pd.DataFrame, *, lang: str = "id", year: int | None = None) -> Chart:
    """Nilai Final over the years and, in a panel of its own below, the dimension scores.

    Top panel, "Nilai Final": Tahap II a heavy black line with filled markers, Tahap I hollow grey markers sitting
    slightly left of their year (the round precedes Tahap II), every point labelled. ``history`` columns: ``year``
    (int), ``stage`` (1 or 2), ``nilai_final``; dimension columns (keys of
    :data:`smartcity_eval.method.methodology.DIMENSION_KEYS`), if present, are drawn in the lower panel in their
    own colours and markers, Tahap II as lines and Tahap I as hollow markers (as in the top panel), named from the
    methodology of ``year`` (latest when None).
    """
    t = T[lang]
    missing = {"year", "stage", "nilai_final"} - set(history.columns)
    if missing:
        raise ValueError(f"history lacks column(s) {sorted(missing)}")
    data = history.sort_values(["year", "stage"]).reset_index(drop=True)
    dims = [d for d in mth.DIMENSION_KEYS if d in data.columns and data[d].notna().any()]
    names = dict(zip(dims, _labels_of(dims, "dimension", lang, year), strict=True))
    with apply_style():
        fig = _new_figure(13.5 if dims else 9.5)
        axes = fig.subplots(2 if dims else 1, 1, sharex=True, squeeze=False, height_ratios=[1, 1.3][: 1 + bool(dims)])
        final_ax = axes[0, 0]
        _trajectory_finals(final_ax, data, lang)
        final_ax.set_ylabel(t("nilai_final"))
        if dims:
            _trajectory_dimensions(axes[1, 0], data, names)
            axes[1, 0].set_ylabel(t("dimension_score"))
        for ax in axes[:, 0]:
            _trajectory_axis(ax, data, lang)
        axes[-1, 0].set_xlabel(t("year"))
        handles, labels = ([x for ax in axes[:, 0] for x in ax.get_legend_handles_labels()[k]] for k in (0, 1))
        ncols = 2 if not dims else 4
        cl.bottom_legend(fig, handles, labels, ncols=ncols, handlelength=2.4)
        _fit_trajectory(fig, axes[:, 0], -(-len(handles) // ncols))
    return Chart(fig, _trajectory_alt(data, names, lang))


#: points above a Tahap II point where its value label is centred
_VALUE_OFFSET = 10


def _trajectory_finals(ax: Axes, data: pd.DataFrame, lang: str) -> None:
    """Nilai Final: Tahap II heavy and black, Tahap I hollow and grey a little earlier in the year; values labelled."""
    current, previous = SERIES_STYLES["current"]["color"], SERIES_STYLES["previous"]["color"]
    s2 = data.loc[data["stage"] == 2, ["year", "nilai_final"]].dropna()
    s1 = data.loc[data["stage"] == 1, ["year", "nilai_final"]].dropna()
    s1 = s1.assign(year=s1["year"] - _STAGE1_SHIFT)  # Tahap I comes earlier in the year
    ax.plot(
        s2["year"],
        s2["nilai_final"],
        color=current,
        linewidth=2.6,
        marker="o",
        markersize=7,
        label=stage_name(2, lang),
        gid="stage2",
        zorder=4,
    )
    if len(s1):
        ax.plot(
            s1["year"],
            s1["nilai_final"],
            color=previous,
            linestyle=(0, (1, 2)),
            linewidth=1.2,
            marker="o",
            markersize=7,
            markerfacecolor="white",
            markeredgewidth=1.6,
            label=stage_name(1, lang),
            gid="stage1",
            zorder=4,
        )
    for rows, dy, weight, colour in ((s2, _VALUE_OFFSET, "bold", current), (s1, -12, "normal", _PREVIOUS_TEXT)):
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
                color=colour,
                gid="value-label",
                zorder=6,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )


def _trajectory_dimensions(ax: Axes, data: pd.DataFrame, names: dict[str, str]) -> None:
    """Each dimension in its colour and marker: Tahap II a thin line, Tahap I hollow markers a little earlier."""
    stage1 = data[data["stage"] == 1]
    for d, name in names.items():
        colour = DIMENSION_COLOURS[d]
        edge = _INK if greyscale_luma(colour) > 0.6 else colour
        style = {"color": colour, "marker": DIMENSION_MARKERS[d], "markersize": 4.5, "markeredgewidth": 0.7}
        sub = data.loc[data["stage"] == 2, ["year", d]].dropna()
        ax.plot(sub["year"], sub[d], linewidth=1.4, label=name, gid=f"dim-{d}", markeredgecolor=edge, **style)
        sub = stage1[["year", d]].dropna()
        if sub.empty:
            continue
        ax.plot(
            sub["year"] - _STAGE1_SHIFT,
            sub[d],
            linestyle="none",
            markerfacecolor="white",
            markeredgecolor=colour if greyscale_luma(colour) <= 0.6 else _INK,
            gid=f"dim-{d}-stage1",
            **style,
        )


def _trajectory_axis(ax: Axes, data: pd.DataFrame, lang: str) -> None:
    """Years on x (half a year of margin), the 0–4 scale on y with its grid."""
    years = sorted({int(y) for y in data["year"]})
    if years:
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(0, SCORE_MAX)
    ax.yaxis.set_major_locator(FixedLocator([0, 1, 2, 3, 4]))
    ax.yaxis.set_major_formatter(_tick_formatter(lang))
    ax.grid(axis="y")


def _fit_trajectory(fig: Figure, axes: Sequence[Axes], legend_rows: int) -> None:
    """Place the trajectory's panels: the score label and ticks left, the years and the legend below, room above
    for the value labels over a score of 4 and between the panels for those under a score near 0."""
    ticks = [axes[0].yaxis.get_major_formatter()(y) for y in axes[0].get_yticks()]
    left = cl.PAD + cl.lines_height(1, 9) + cl.LABELPAD + cl.text_width(ticks, 8) + cl.TICK
    values = _VALUE_OFFSET + cl.lines_height(1, 8)
    margins = cl.Margins(
        left=left, right=cl.PAD + 4, bottom=cl.below_plot(legend_rows), top=cl.PAD + values, between=values
    )
    margins.apply(fig, rows=len(axes))


def _trajectory_alt(data: pd.DataFrame, names: dict[str, str], lang: str) -> str:
    """``Nilai Final …: 2023 Tahap II 2,41, 2024 Tahap I 2,41, …`` then each dimension's scores the same way."""
    t = T[lang]

    def points(column: str) -> str:
        rows = data.dropna(subset=[column])
        return ", ".join(
            f"{int(yr)} {stage_name(int(st), lang)} {_fmt(v, 2, lang)}"
            for yr, st, v in zip(rows["year"], rows["stage"], rows[column], strict=True)
        )

    text = t("alt_trajectory", values=points("nilai_final"))
    if not names:
        return text
    return f"{text} {t('alt_trajectory_dims', values='; '.join(f'{name}: {points(d)}' for d, name in names.items()))}"
