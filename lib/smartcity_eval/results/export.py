"""The national results table out of the evaluation store, fit for spreadsheets (xlsx or CSV).

Columns: the results letter's ``No, Kab/Kota, Baseline, Output, Outcome, Impact, Quick Wins, Program Kolaborasi,
Nilai Final, Tingkat Improvement, Ket``, then ``Provinsi`` and the national, category and provincial ranks; headers
in the chosen language (``export.col_*`` in the catalogues). Participants come first, numbered in rank order (or by
name), non-participants after them without a number or rank. Every score, improvement and rank is a number, or
empty when there is none: the xlsx shows an empty improvement as ``-`` through its number format only, so a
spreadsheet (or pandas) can average the column. CSV comes in two dialects: ``default`` (comma, decimal point) and
``id`` (semicolon, decimal comma, with a byte-order mark: what Excel in an Indonesian locale reads). The xlsx has a
second sheet on where the table comes from: source files, method year, date. Files are written atomically, and
every text cell that a spreadsheet could run as a formula (``=``, ``+``, ``-``, ``@``) is neutralised.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from openpyxl.worksheet.worksheet import Worksheet

from smartcity_eval import __version__
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES, format_date, format_number, stage_name
from smartcity_eval.common.tables import neutralise, write_atomic, write_csv
from smartcity_eval.method import methodology as mth
from smartcity_eval.results.store import DEFAULT_DB, StoreError, cohort_table, connect, store_error_message

#: the table's columns (keys of ``export.col_<key>`` in the catalogues), in order
KEYS = [
    "no",
    "region",
    "baseline",
    "output",
    "outcome",
    "impact",
    "quick_win",
    "kolaborasi",
    "nilai_final",
    "improvement",
    "category",
    "province",
    "rank_national",
    "rank_category",
    "rank_province",
]
SCORES = ("baseline", "output", "outcome", "impact", "quick_win", "kolaborasi", "nilai_final", "improvement")
WHOLE = ("no", "rank_national", "rank_category", "rank_province")
WIDTHS = {"no": 6, "region": 32, "province": 24, "category": 12}
FORMATS = ("xlsx", "csv")
ORDERS = ("rank", "name")
#: CSV dialect -> (separator, language of the numbers, encoding)
CSV_DIALECTS = {"default": (",", "en", "utf-8"), "id": (";", "id", "utf-8-sig")}
SCORE_FORMAT = "0.00"
#: an improvement: two decimals, and ``-`` in the text section, so an empty (text) cell shows as the letter's dash
IMPROVEMENT_FORMAT = '0.00;-0.00;0.00;"-"'

T = i18n.section("export")


def headers(lang: str = DEFAULT_LANG) -> list[str]:
    """The column headers in ``lang`` (Indonesian: the results letter's, then province and ranks)."""
    return [T(lang, f"col_{key}") for key in KEYS]


HEADERS = headers("id")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def national_table(
    con: duckdb.DuckDBPyConnection,
    year: int,
    stage: int,
    category: str | None = None,
    order: str = "rank",
    lang: str = DEFAULT_LANG,
) -> pd.DataFrame:
    """The national table with the headers of ``lang`` (:func:`headers`), one row per region.

    Scores are 2-decimal floats (NaN where there is none); ``No`` and ranks are nullable integers. Rows and ranks are
    the store's (:func:`~smartcity_eval.results.rules.ranked`): with ``order="rank"``, ``No`` is the competition rank
    (national, or in the category when one is given; ties share it and are listed by name); with ``order="name"``,
    as in the ministry's letter, participants are listed by name and numbered 1..N. Non-participants follow without
    a number. Each region's row is its workbook evaluation when there is one, else the published row.
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
    out = pd.DataFrame({"no": pd.array(numbers, dtype="Int64")})
    for key in KEYS[1:]:
        if key in SCORES:
            out[key] = rows[key].astype("float64")
        elif key in WHOLE:
            out[key] = pd.array(rows[key], dtype="Int64")
        else:
            out[key] = rows[key].astype(object)
    return out.set_axis(headers(lang), axis=1)


def sources(con: duckdb.DuckDBPyConnection, year: int, stage: int, category: str | None = None) -> pd.DataFrame:
    """The files the table's rows come from: ``path, kind, sha256, loaded_at``, by path."""
    ids = list(cohort_table(con, year, stage, category)["evaluation_id"])
    if not ids:
        return pd.DataFrame(columns=["path", "kind", "sha256", "loaded_at"])
    return con.execute(
        """
        SELECT DISTINCT f.path, f.kind, f.sha256, f.loaded_at
        FROM evaluations e JOIN files f ON f.path = e.source_file
        WHERE list_contains(?, e.evaluation_id) ORDER BY f.path""",
        [ids],
    ).df()


def _text(cell: Cell, value: Any) -> None:
    """Put ``value`` into ``cell`` as text that no spreadsheet runs as a formula."""
    cell.value = neutralise(str(value))
    cell.data_type = "s"


_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _header_row(ws: Worksheet, names: list[str], keys: list[str]) -> None:
    for c, (name, key) in enumerate(zip(names, keys, strict=True), start=1):
        cell = ws.cell(row=1, column=c)
        _text(cell, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(key, 11)


def _value_cell(cell: Cell, key: str, value: Any) -> None:
    """One body cell: scores and ranks as numbers (an empty improvement as empty text shown ``-``), else text."""
    cell.border = _BORDER
    if key in SCORES:
        cell.alignment = Alignment(horizontal="right")
        cell.number_format = IMPROVEMENT_FORMAT if key == "improvement" else SCORE_FORMAT
        if not _missing(value):
            cell.value = float(value)
        elif key == "improvement":
            _text(cell, "")
    elif key in WHOLE:
        cell.alignment = Alignment(horizontal="center")
        if not _missing(value):
            cell.value = int(value)
    elif not _missing(value):
        _text(cell, value)


def _table_sheet(ws: Worksheet, table: pd.DataFrame, title: str) -> None:
    ws.title = title[:31]
    _header_row(ws, list(table.columns), KEYS)
    for r, row in enumerate(table.itertuples(index=False, name=None), start=2):
        for c, (key, value) in enumerate(zip(KEYS, row, strict=True), start=1):
            _value_cell(ws.cell(row=r, column=c), key, value)
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 30
    if len(table):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(KEYS))}{len(table) + 1}"


def metadata_rows(about: dict[str, Any], files: pd.DataFrame, lang: str) -> list[list[Any]]:
    """The metadata sheet's rows: what the table is (title, year, stage, method, date, store, version), then its
    source files (``files`` from :func:`sources`)."""
    t = T[lang]
    rows: list[list[Any]] = [[t(f"meta_{key}"), value] for key, value in about.items()]
    rows += [[], [t("meta_files"), t("meta_kind"), "sha256", t("meta_loaded")]]
    rows += [[f.path, f.kind, f.sha256, f.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC")] for f in files.itertuples()]
    return rows


def _metadata_sheet(ws: Worksheet, rows: list[list[Any]], lang: str) -> None:
    """The metadata sheet: names in bold in the first column, the source files' header row in bold."""
    ws.title = T(lang, "meta_sheet")
    files_header = T(lang, "meta_files")
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, int):
                cell.value = value
            else:
                _text(cell, value)
            cell.font = Font(bold=c == 1 or row[0] == files_header)
    for c, width in enumerate((34, 70, 66, 22), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width


def write_xlsx(
    table: pd.DataFrame,
    path: Path | str,
    title: str = "Nasional",
    metadata: list[list[Any]] | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write the table as xlsx, atomically: bold header, frozen panes, number formats, text cells safe; with
    ``metadata`` (:func:`metadata_rows`) a second sheet, named in ``lang``, says where it comes from."""

    def write(tmp: Path) -> None:
        wb = Workbook()
        _table_sheet(wb.active, table, title)
        if metadata is not None:
            _metadata_sheet(wb.create_sheet(), metadata, lang)
        wb.properties.title = title
        wb.save(tmp)

    return write_atomic(Path(path), write)


def to_csv_frame(table: pd.DataFrame, dialect: str = "default") -> pd.DataFrame:
    """The table as text: scores with 2 decimals (a decimal comma in the ``id`` dialect), whole numbers, blanks."""
    _, lang, _ = CSV_DIALECTS[dialect]
    out = pd.DataFrame(index=table.index)
    for key, name in zip(KEYS, table.columns, strict=True):
        if key in SCORES:
            out[name] = [format_number(v, 2, lang, missing="") for v in table[name]]
        elif key in WHOLE:
            out[name] = ["" if _missing(v) else str(int(v)) for v in table[name]]
        else:
            out[name] = ["" if _missing(v) else str(v) for v in table[name]]
    return out.reset_index(drop=True)


def write_table(
    table: pd.DataFrame,
    path: Path | str,
    fmt: str,
    title: str = "Nasional",
    *,
    dialect: str = "default",
    metadata: list[list[Any]] | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write the table as ``xlsx`` (with the ``metadata`` sheet in ``lang``) or ``csv`` (in ``dialect``), atomically."""
    if fmt == "xlsx":
        return write_xlsx(table, path, title, metadata, lang)
    if fmt == "csv":
        sep, _, encoding = CSV_DIALECTS[dialect]
        return write_csv(to_csv_frame(table, dialect), Path(path), sep=sep, encoding=encoding)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _about(args: argparse.Namespace, title: str) -> dict[str, Any]:
    """The metadata sheet's description of an export."""
    method = mth.get(args.year) if args.year in mth.years() else None
    return {
        "title": title,
        "year": args.year,
        "stage": stage_name(args.stage, args.lang),
        "category": args.category or T(args.lang, "all_categories"),
        "method": f"{args.year} ({method.source})" if method else "-",
        "date": format_date(dt.date.today(), args.lang),
        "store": str(args.db),
        "version": f"smartcity-eval {__version__}",
        "note": T(args.lang, "note_text"),
    }


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
        table = national_table(con, args.year, args.stage, args.category, args.order, args.lang)
        files = sources(con, args.year, args.stage, args.category)
    finally:
        con.close()
    stage = stage_name(args.stage, args.lang)
    if table.empty:
        category = f" {args.category}" if args.category else ""
        print(t("empty", year=args.year, stage=stage, category=category, db=args.db), file=sys.stderr)
        return 1
    title = f"{args.year} {stage}" + (f" {args.category}" if args.category else "")
    about = _about(args, t("title", year=args.year, stage=stage))
    metadata = metadata_rows(about, files, args.lang)
    write_table(table, args.output, fmt, title, dialect=args.csv_dialect, metadata=metadata, lang=args.lang)
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
    p.add_argument(
        "--csv-dialect",
        choices=tuple(CSV_DIALECTS),
        default="default",
        help="CSV only: 'default' (comma, decimal point) or 'id' (semicolon, decimal comma, for Indonesian Excel)",
    )
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default: {DEFAULT_DB})")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of headers and messages (default: id)"
    )
    p.set_defaults(func=cmd_export)
