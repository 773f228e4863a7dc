"""HTML pieces the reports share: tables of already-escaped cells, and charts as embedded SVG."""

from __future__ import annotations

import base64
import io
from html import escape

from smartcity_eval.reports import charts


def figure_html(chart: charts.Chart, caption: str) -> str:
    """A chart as an embedded SVG image: its alt text in the ``alt`` attribute, ``caption`` under it.

    Vector, so the PDF's charts stay sharp at any zoom; text stays text (``svg.fonttype`` "none", DejaVu Sans),
    so it can be searched and copied. Cheaper to draw than a 150-dpi PNG (no rasterising, no PNG encoding) and a
    third of the bytes. The SVG carries no date and the chart style fixes its element ids, so the same figure
    gives the same bytes. The alt text carries the chart's values for screen readers and the tagged PDF.
    """
    buf = io.BytesIO()
    with charts.apply_style():
        chart.figure.savefig(buf, format="svg", metadata={"Date": None})
    data = base64.b64encode(buf.getvalue()).decode()
    return (
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" alt="{escape(chart.alt)}"/>'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def table(
    headers: list[str],
    rows: list[list[str]],
    num_cols: set[int] = frozenset(),
    cls: str = "",
    row_cls: list[str] | None = None,
) -> str:
    """An HTML table; cells are already-escaped HTML; ``row_cls`` gives each body row a class ("" for none)."""
    head = "".join(f'<th class="num">{h}</th>' if i in num_cols else f"<th>{h}</th>" for i, h in enumerate(headers))
    classes = row_cls or [""] * len(rows)
    body = "".join(
        (f'<tr class="{c}">' if c else "<tr>")
        + "".join(f'<td class="num">{x}</td>' if i in num_cols else f"<td>{x}</td>" for i, x in enumerate(r))
        + "</tr>"
        for r, c in zip(rows, classes, strict=True)
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def grouped_table(
    headers: list[str], rows: list[list[str]], grouped: int, num_cols: set[int] = frozenset(), cls: str = ""
) -> str:
    """An HTML table whose first ``grouped`` columns are written once per run of equal cells (a pillar or an element
    heads its items; the rows below leave it blank), each run starting with a rule; cells are already-escaped HTML.

    Blank cells rather than ``rowspan``: a printed table can break between any two rows of a run.
    """
    shown = [
        [c if i >= grouped or k == 0 or r[: i + 1] != rows[k - 1][: i + 1] else "" for i, c in enumerate(r)]
        for k, r in enumerate(rows)
    ]
    body = [[*(f'<span class="group">{c}</span>' if c else "" for c in r[:grouped]), *r[grouped:]] for r in shown]
    starts = ["group-start" if k and r[0] else "" for k, r in enumerate(shown)]
    return table(headers, body, num_cols, cls, starts)
