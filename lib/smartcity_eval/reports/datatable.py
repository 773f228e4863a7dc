"""Tables as people read them: headers in their language, decimal commas, ``-`` for nothing, no index column.

:func:`shown` turns a frame of values into text by the kind of each column (score, whole number, text, yes/no);
:func:`interactive` makes it a sortable, filterable table with downloads (itables' DataTables, offline: the bundle
ships in the itables wheel and is put into the page once by :func:`init`, nothing is fetched from the internet);
:func:`static` makes it a plain HTML table (what a saved notebook shows and nbval compares).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import format_number
from smartcity_eval.reports import html

T = i18n.section("explore")

SCORE, WHOLE, TEXT, FLAG, SIGNED = "score", "whole", "text", "flag", "signed"
MISSING = "-"


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def cell(value: Any, kind: str, lang: str) -> str:
    """One value as text: scores with 2 decimals (``2,41``), signed ones with their sign, ``-`` when missing."""
    if _missing(value):
        return MISSING
    if kind in (SCORE, SIGNED):
        return format_number(float(value), 2, lang, signed=kind == SIGNED)
    if kind == WHOLE:
        return str(int(value))
    if kind == FLAG:
        return T(lang, "yes" if bool(value) else "no")
    return str(value)


def shown(frame: pd.DataFrame, columns: Mapping[str, tuple[str, str]], lang: str) -> pd.DataFrame:
    """The ``columns`` of ``frame`` (``{column: (header, kind)}``, in order) as text under their headers."""
    return pd.DataFrame(
        {header: [cell(v, kind, lang) for v in frame[col]] for col, (header, kind) in columns.items()},
        index=range(len(frame)),
        dtype=object,
    )


#: the tables' own style: JupyterLab's (and Voilà's) output style right-aligns every table cell; DataTables marks
#: number columns ``dt-type-numeric``, so the others (names, provinces, categories) are set back to the left
STYLE = (
    ".dt-container { overflow-x: auto; } .explore-note { margin: 0.4em 0; } "
    ".dt-container table.dataTable :is(th, td):not(.dt-type-numeric) { text-align: left; }"
)


def init() -> None:
    """Put the DataTables bundle (JavaScript and CSS, from the itables package) into the page, once per notebook."""
    import itables
    from IPython.display import HTML, display

    itables.init_notebook_mode(all_interactive=False, connected=False)
    display(HTML(f"<style>{STYLE}</style>"))


def _language(lang: str) -> dict[str, str]:
    """DataTables' own words in ``lang``, and the decimal comma so that ``2,41`` sorts as a number."""
    t = T[lang]
    words = {k: t(f"dt_{k}") for k in ("search", "info", "infoEmpty", "infoFiltered", "lengthMenu", "zeroRecords")}
    words["emptyTable"] = t("dt_zeroRecords")
    return {**words, "decimal": t("dt_decimal"), "thousands": t("dt_thousands")}


def _buttons(name: str, lang: str) -> list[dict[str, Any]]:
    """Download as CSV (semicolons in Indonesian, as Excel there expects) or Excel, and copy."""
    t = T[lang]
    csv = {
        "extend": "csvHtml5",
        "text": t("download_csv"),
        "filename": name,
        "fieldSeparator": t("csv_separator"),
    }
    excel = {"extend": "excelHtml5", "text": t("download_excel"), "filename": name, "title": None}
    return [csv, excel, {"extend": "copyHtml5", "text": t("copy")}]


def interactive(table: pd.DataFrame, lang: str, *, name: str, table_id: str, page_length: int = 10) -> Any:
    """A sortable, filterable table with downloads (an IPython HTML object); ``table`` is text (:func:`shown`)."""
    import itables
    from IPython.display import HTML

    options: dict[str, Any] = {
        "table_id": table_id,
        "connected": False,
        "display_logo_when_loading": False,
        "showIndex": False,
        "maxBytes": 0,
        "classes": "display compact nowrap cell-border",
        "style": "width:auto;margin:0",
        "pageLength": page_length,
        "lengthMenu": [10, 25, 50, 100, -1],
        "order": [],
        "language": _language(lang),
        "buttons": _buttons(name, lang),
        "layout": {"topStart": "buttons", "topEnd": "search", "bottomStart": "info", "bottomEnd": "paging"},
    }
    return HTML(itables.to_html_datatable(table, **options))


def static(table: pd.DataFrame, numeric: set[str] = frozenset()) -> Any:
    """A plain HTML table of ``table`` (text, :func:`shown`); columns named in ``numeric`` align right."""
    from IPython.display import HTML

    heads = [escape(str(c)) for c in table.columns]
    rows = [[escape(str(v)) for v in row] for row in table.itertuples(index=False, name=None)]
    nums = {i for i, c in enumerate(table.columns) if c in numeric}
    return HTML(html.table(heads, rows, nums, "explore"))
