"""The national results table out of the evaluation store, in the results letter's layout (xlsx or CSV).

Columns (Indonesian, as in the letter): ``No, Kab/Kota, Baseline, Output, Outcome, Impact, Quick Wins,
Program Kolaborasi, Nilai Final, Tingkat Improvement, Ket``. Participants come first, numbered in rank order
(or by name), non-participants after them without a number. Files are written atomically, and every text
cell that a spreadsheet could run as a formula (``=``, ``+``, ``-``, ``@``) is neutralised.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES, stage_name
from smartcity_eval.common.tables import neutralise, write_atomic, write_csv
from smartcity_eval.results.store import DEFAULT_DB, StoreError, cohort_table, connect, store_error_message

HEADERS = [
    "No",
    "Kab/Kota",
    "Baseline",
    "Output",
    "Outcome",
    "Impact",
    "Quick Wins",
    "Program Kolaborasi",
    "Nilai Final",
    "Tingkat Improvement",
    "Ket",
]
#: letter header -> column of :func:`smartcity_eval.results.store.cohort_table`
SCORE_COLUMNS = {
    "Baseline": "baseline",
    "Output": "output",
    "Outcome": "outcome",
    "Impact": "impact",
    "Quick Wins": "quick_win",
    "Program Kolaborasi": "kolaborasi",
    "Nilai Final": "nilai_final",
    "Tingkat Improvement": "improvement",
}
WIDTHS = {"No": 6, "Kab/Kota": 32, "Ket": 12}
FORMATS = ("xlsx", "csv")
ORDERS = ("rank", "name")
NO_IMPROVEMENT = "-"

T = i18n.section("export")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def national_table(
    con: duckdb.DuckDBPyConnection, year: int, stage: int, category: str | None = None, order: str = "rank"
) -> pd.DataFrame:
    """The national table with the letter's headers (:data:`HEADERS`).

    Scores are 2-decimal floats (NaN where there is none). Rows and ranks are the store's
    (:func:`~smartcity_eval.results.rules.ranked`): with ``order="rank"``, ``No`` is the competition rank (national,
    or in the category when one is given; ties share it and are listed by name); with ``order="name"``, as in the
    ministry's letter, participants are listed by name and numbered 1..N. Non-participants follow without a number.
    Each region's row is its workbook evaluation when there is one, else the published row.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
    rows = cohort_table(con, year, stage, category)
    taking_part = rows["participant"].astype(bool)
    if order == "name":
        rows = pd.concat([rows[taking_part].sort_values("region", kind="stable"), rows[~taking_part]])
        rows = rows.reset_index(drop=True)
        numbers = pd.array(list(range(1, int(taking_part.sum()) + 1)) + [None] * int((~taking_part).sum()))
    else:
        numbers = rows["rank_category" if category else "rank_national"]
    out = pd.DataFrame({"No": pd.array(numbers, dtype="Int64"), "Kab/Kota": rows["region"].astype(object)})
    for header, col in SCORE_COLUMNS.items():
        out[header] = rows[col].astype("float64")
    out["Ket"] = rows["category"].astype(object)
    return out[HEADERS]


def _text(cell: Cell, value: Any) -> None:
    """Put ``value`` into ``cell`` as text that no spreadsheet runs as a formula."""
    cell.value = neutralise(str(value))
    cell.data_type = "s"


def _write_xlsx(table: pd.DataFrame, path: Path, title: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=1, column=c)
        _text(cell, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(header, 11)
    for r, row in enumerate(table[HEADERS].itertuples(index=False, name=None), start=2):
        for c, (header, value) in enumerate(zip(HEADERS, row, strict=True), start=1):
            cell = ws.cell(row=r, column=c)
            cell.border = border
            if header in SCORE_COLUMNS:
                cell.alignment = Alignment(horizontal="right")
                if not _missing(value):
                    cell.value = float(value)
                    cell.number_format = "0.00"
                elif header == "Tingkat Improvement":
                    _text(cell, NO_IMPROVEMENT)
            elif header == "No":
                cell.alignment = Alignment(horizontal="center")
                if not _missing(value):
                    cell.value = int(value)
            elif not _missing(value):
                _text(cell, value)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    if len(table):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{len(table) + 1}"
    wb.properties.title = title
    wb.save(path)


def write_xlsx(table: pd.DataFrame, path: Path | str, title: str = "Nasional") -> Path:
    """Write the table as xlsx, atomically: bold header, frozen below it, ``0.00`` on scores, text cells safe."""
    return write_atomic(Path(path), lambda tmp: _write_xlsx(table, tmp, title))


def to_csv_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The table as text: scores with 2 decimals and a decimal point, ``-`` for no improvement, blanks."""
    out = pd.DataFrame(
        {
            "No": ["" if _missing(v) else str(int(v)) for v in table["No"]],
            "Kab/Kota": ["" if _missing(v) else str(v) for v in table["Kab/Kota"]],
        }
    )
    for header in SCORE_COLUMNS:
        blank = NO_IMPROVEMENT if header == "Tingkat Improvement" else ""
        out[header] = [blank if _missing(v) else f"{float(v):.2f}" for v in table[header]]
    out["Ket"] = ["" if _missing(v) else str(v) for v in table["Ket"]]
    return out[HEADERS]


def write_table(table: pd.DataFrame, path: Path | str, fmt: str, title: str = "Nasional") -> Path:
    """Write the table as ``xlsx`` or ``csv`` (UTF-8, formula-like text neutralised), atomically."""
    if fmt == "xlsx":
        return write_xlsx(table, path, title)
    if fmt == "csv":
        return write_csv(to_csv_frame(table), Path(path))
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def cmd_export(args: argparse.Namespace) -> int:
    """``smartcity-eval export``: write the national table of a year and stage; exit 1 when there is none."""
    t = T[args.lang]
    fmt = args.format or args.output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(t("format", path=args.output), file=sys.stderr)
        return 1
    try:
        con = connect(args.db, read_only=True)
    except (duckdb.IOException, StoreError) as exc:
        print(store_error_message(exc, args.db, args.lang), file=sys.stderr)
        return 1
    try:
        table = national_table(con, args.year, args.stage, args.category, args.order)
    finally:
        con.close()
    stage = stage_name(args.stage, args.lang)
    if table.empty:
        category = f" {args.category}" if args.category else ""
        print(t("empty", year=args.year, stage=stage, category=category, db=args.db), file=sys.stderr)
        return 1
    title = f"{args.year} {stage_name(args.stage, 'id')}" + (f" {args.category}" if args.category else "")
    write_table(table, args.output, fmt, title)
    print(t("written", n=len(table), path=args.output))
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``export`` on the CLI's subparsers."""
    p = subparsers.add_parser("export", help="write the national results table of a year and stage (xlsx or CSV)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--stage", type=int, choices=(1, 2), required=True)
    p.add_argument("--format", choices=FORMATS, help="xlsx or csv (default: from the output file's extension)")
    p.add_argument("--category", type=lambda s: s.strip().upper(), help="only REGULER or only KPPN&IKN")
    p.add_argument(
        "--order",
        choices=ORDERS,
        default="rank",
        help="number participants by rank (default) or by name, as the letter does",
    )
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default: {DEFAULT_DB})")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of messages (default: id)")
    p.set_defaults(func=cmd_export)
