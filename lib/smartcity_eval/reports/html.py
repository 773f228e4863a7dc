"""HTML pieces the reports share: tables of already-escaped cells, and charts as embedded SVG."""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from smartcity_eval.reports import charts


def figure_html(fig: Any, caption: str) -> str:
    """A matplotlib Figure as an embedded SVG image with a caption.

    Vector, so the PDF's charts stay sharp at any zoom; text stays text (``svg.fonttype`` "none", DejaVu Sans),
    so it can be searched and copied. Cheaper to draw than a 150-dpi PNG (no rasterising, no PNG encoding) and a
    third of the bytes. The SVG carries no date and the chart style fixes its element ids, so the same figure
    gives the same bytes.
    """
    buf = io.BytesIO()
    with charts.apply_style():
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    data = base64.b64encode(buf.getvalue()).decode()
    return (
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" alt="{escape(caption)}"/>'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def table(headers: list[str], rows: list[list[str]], num_cols: set[int] = frozenset(), cls: str = "") -> str:
    """An HTML table; cells are already-escaped HTML."""
    head = "".join(f'<th class="num">{h}</th>' if i in num_cols else f"<th>{h}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in num_cols else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
