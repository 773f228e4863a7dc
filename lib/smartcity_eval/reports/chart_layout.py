"""Where a report chart's plot area goes: placed once, from the measured size of the texts around it.

Matplotlib's constrained layout measures every text of a figure, in two passes, before the figure is drawn and
measured again; for the six charts of a region report that was more than half of their cost (0.27 of 0.49
CPU-seconds). A report chart knows which texts stand around its plot — tick labels, axis labels, a column of
values, a legend — so it reserves room for those (:class:`Margins`, in points, from :func:`text_width` and
:data:`LINE`) and the figure is drawn once. The chart tests hold every chart to what constrained layout gave:
nothing clipped, no two labels overlapping.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

#: points of white between the outermost text and the figure's edge (constrained layout's 0.04 inch)
PAD = 3.0
#: a line of text, in points per point of font size (DejaVu Sans: ascent and descent, with a little air)
LINE = 1.2
#: points from an axis to the far side of its tick labels, before the labels: Matplotlib's tick length and pad
TICK = 3.5 + 3.5
#: how much wider text may come out than its outline's width: hinting on a coarse raster (a PNG, a screen)
HINTING = 1.05
#: points between tick labels and the axis label (Matplotlib's ``axes.labelpad``)
LABELPAD = 4.0
#: points of white above a plot whose top edge holds no text
AIR = 4.8

_MEASURE = TextToPath()


@functools.lru_cache(maxsize=4096)
def _line_width(line: str, size: float, weight: str, family: tuple[str, ...]) -> float:
    prop = FontProperties(family=list(family), size=size, weight=weight)
    width, _height, _descent = _MEASURE.get_text_width_height_descent(line, prop, ismath=False)
    return float(width)


def text_width(texts: Iterable[str], size: float, weight: str = "normal") -> float:
    """The widest line of ``texts`` in points, at ``size`` in the charts' font (call inside the chart style), with
    :data:`HINTING` to spare."""
    family = tuple(mpl.rcParams["font.sans-serif"])
    widest = max((_line_width(line, size, weight, family) for text in texts for line in text.split("\n")), default=0.0)
    return widest * HINTING


def lines_height(lines: int, size: float) -> float:
    """The height in points of ``lines`` lines of text at ``size`` (Matplotlib's line spacing 1.2 between them)."""
    return size * LINE * (1 + 1.2 * (lines - 1)) if lines else 0.0


def legend_height(rows: int, size: float) -> float:
    """The height in points of a frameless legend of ``rows`` rows at ``size`` (Matplotlib's border pad 0.4 and
    label spacing 0.5 font sizes)."""
    return rows * size * LINE + (rows - 1) * 0.5 * size + 2 * 0.4 * size


def x_axis_height(tick_size: float, label_size: float) -> float:
    """Points below a plot for its x tick labels and its axis label."""
    return TICK + lines_height(1, tick_size) + LABELPAD + lines_height(1, label_size)


def below_plot(legend_rows: int = 0) -> float:
    """Points from the figure's lower edge to its plot: the x tick labels (8 pt) and axis label (9 pt) and, under
    them, a legend of ``legend_rows`` rows (8 pt, :func:`bottom_legend`) when there is one."""
    legend = legend_height(legend_rows, 8) + PAD if legend_rows else 0.0
    return PAD + legend + x_axis_height(8, 9)


def left_of_plot(labels: Iterable[str], size: float) -> float:
    """Points from the figure's left edge to a plot whose category labels (``size`` pt, no tick marks) stand left of
    it."""
    return PAD + text_width(labels, size) + TICK / 2


@dataclass(frozen=True)
class Margins:
    """Room around the plot area, in points from each edge of the figure; ``between`` separates stacked plots."""

    left: float = PAD
    right: float = PAD
    bottom: float = PAD
    top: float = PAD
    between: float = 0.0

    def apply(self, fig: Figure, rows: int = 1) -> None:
        """Place ``fig``'s grid of plots (``rows`` stacked) inside these margins."""
        width, height = fig.get_size_inches() * 72
        inner = height - self.bottom - self.top
        plot = (inner - self.between * (rows - 1)) / rows
        fig.subplots_adjust(
            left=self.left / width,
            right=1 - self.right / width,
            bottom=self.bottom / height,
            top=1 - self.top / height,
            hspace=self.between / plot if rows > 1 else 0.0,
        )


def bottom_legend(fig: Figure, handles: list, labels: list[str], *, ncols: int, right: bool = False, **kw) -> None:
    """A legend on the figure's lower edge (centred, or at the right), inside :data:`PAD`."""
    width, height = fig.get_size_inches() * 72
    anchor = (1 - PAD / width, PAD / height) if right else (0.5, PAD / height)
    loc = "lower right" if right else "lower center"
    fig.legend(handles, labels, loc=loc, bbox_to_anchor=anchor, ncols=ncols, borderaxespad=0.0, **kw)
