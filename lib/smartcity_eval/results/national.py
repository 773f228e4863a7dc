"""Published national results tables: read, recompute Nilai Final, rank.

The letter's table has the columns ``no, kab_kota, ket, baseline, output, outcome, impact, quick_wins,
kolaborasi, nilai_final, improvement``; ``kolaborasi`` is empty for REGULER, ``improvement`` is ``-`` when
there is none, non-participants are rows of zeros. Values are 2-decimal published figures, so a recomputed
Nilai Final is "from rounded inputs": it matches the published one within about ±0.005.

The letter names regions but not their provinces: every row takes its Kemendagri code and province from the region
register (:mod:`smartcity_eval.inputs.register`) when the table is read, so every path that reads a published table
(cohort, store, last year's final, ``smartcity-eval national``) knows them; a name the register does not know is
a problem of the table, located by row like any other.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pandas as pd

from smartcity_eval.common.i18n import DEFAULT_LANG
from smartcity_eval.inputs import register
from smartcity_eval.inputs.csvfile import CsvRows, read_rows
from smartcity_eval.inputs.validation import ERROR, Problem
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import slugify
from smartcity_eval.method.scoring import nilai_final
from smartcity_eval.results import rules

CSV_COLUMNS = [
    "no",
    "kab_kota",
    "ket",
    "baseline",
    "output",
    "outcome",
    "impact",
    "quick_wins",
    "kolaborasi",
    "nilai_final",
    "improvement",
]
#: CSV column -> evaluation-dimension key
DIMENSION_COLUMNS = {
    "baseline": "baseline",
    "output": "output",
    "outcome": "outcome",
    "impact": "impact",
    "quick_wins": "quick_win",
    "kolaborasi": "kolaborasi",
}
TOLERANCE = Decimal("0.005")


class TableError(ValueError):
    """A published table has errors; ``problems`` lists them all (``str()`` in Indonesian, :meth:`message` in any
    language)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """Every problem, one per line, in ``lang``."""
        return "\n".join(p.format(lang) for p in self.problems)


def _decimal(text: str) -> Decimal | None:
    """A published figure: ``2.94`` or ``2,94``; None for an empty cell or ``-``. Raises InvalidOperation for a
    value that is not a finite number (text, ``NaN``, ``Infinity``)."""
    text = text.strip()
    if text in ("", "-"):
        return None
    value = Decimal(text.replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


@cache
def _registered(name: str) -> register.Region | None:
    """The register's kabupaten/kota called ``name`` (tolerant), once per name: tables are read again and again."""
    return register.find(name)


def _place(rec: dict[str, object], file: str, line: int, problems: list[Problem]) -> None:
    """Set the row's ``region_code`` and ``province`` from the register; a problem when it does not know the name."""
    region = _registered(str(rec["region"])) if rec["region"] else None
    rec["region_code"] = None if region is None else region.code
    rec["province"] = None if region is None else region.province
    if rec["region"] and region is None:
        where = (("source", register.source()),)
        problems.append(
            Problem(ERROR, "register", file, None, line, None, "kab_kota", rec["region"], "registered_region", where)
        )


def read_published(path: Path | str) -> pd.DataFrame:
    """Read a published results table. Numbers become Decimals (None when empty or ``-``).

    Returns columns ``no``, ``region``, ``region_code``, ``province`` (both from the register), ``category``, the
    dimension keys, ``nilai_final``, ``improvement``. Raises :class:`TableError` naming file, row, column, value and
    expectation for every problem: encoding, separator, quotes and row lengths (:mod:`~smartcity_eval.inputs.csvfile`),
    every bad cell, every participant without a final and every region name the register does not know.
    """
    path = Path(path)
    table, problems = read_rows(path)
    if table is not None and not problems:
        problems = _missing_columns(path.name, table)
    if table is None or problems:
        raise TableError(problems)
    rows = [_record(path.name, line, raw, problems) for line, raw in table.rows]
    if problems:
        raise TableError(problems)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["no"] = frame["no"].astype("Int64")
    return frame


#: the columns of a table read by :func:`read_published`
COLUMNS = [
    "no",
    "region",
    "region_code",
    "province",
    "category",
    *DIMENSION_COLUMNS.values(),
    "nilai_final",
    "improvement",
]


def _missing_columns(name: str, table: CsvRows) -> list[Problem]:
    """A problem per expected column the header lacks, naming the separator found."""
    columns = (("text", ", ".join(CSV_COLUMNS)),)
    missing = [c for c in CSV_COLUMNS if c not in table.header]
    return [Problem(ERROR, "missing_column", name, None, 1, None, c, None, "literal", columns) for c in missing]


def _record(name: str, line: int, raw: dict[str, str], problems: list[Problem]) -> dict[str, object]:
    """One row of the table, its problems appended to ``problems``."""
    categories = (("a", mth.CATEGORIES[0]), ("b", mth.CATEGORIES[1]))
    rec: dict[str, object] = {
        "no": int(raw["no"]) if raw["no"].strip().isdigit() else None,
        "region": raw["kab_kota"].strip(),
        "category": raw["ket"].strip().upper(),
    }
    if rec["category"] not in mth.CATEGORIES:
        problems.append(Problem(ERROR, "choice", name, None, line, None, "ket", raw["ket"], "either", categories))
    if not rec["region"]:
        problems.append(Problem(ERROR, "required", name, None, line, None, "kab_kota", None, "region_name"))
    _place(rec, name, line, problems)
    for col in (*DIMENSION_COLUMNS, "nilai_final", "improvement"):
        rec[DIMENSION_COLUMNS.get(col, col)] = _figure(name, line, col, raw[col], problems)
    dims = {k: rec[k] for k in DIMENSION_COLUMNS.values()}
    if rec["nilai_final"] is None and rules.participant(dims) and raw["nilai_final"].strip() in ("", "-"):
        problems.append(Problem(ERROR, "final_missing", name, None, line, None, "nilai_final", None, "range_0_4"))
    return rec


def _figure(name: str, line: int, col: str, text: str, problems: list[Problem]) -> Decimal | None:
    """A score (0–4) or an improvement (−4 to 4); a located problem when it is neither."""
    try:
        value = _decimal(text)
    except InvalidOperation:
        problems.append(Problem(ERROR, "not_number", name, None, line, None, col, text, "decimal"))
        return None
    if value is None or Decimal(-4 if col == "improvement" else 0) <= value <= Decimal(4):
        return value
    if col == "improvement":
        problems.append(Problem(ERROR, "score_range", name, None, line, None, col, text, "range_pm4"))
    else:
        problems.append(Problem(ERROR, "score_range", name, None, line, None, col, text, "range_0_4"))
    return None


def recompute(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Recompute Nilai Final from the dimension columns with each row's category profile, and rank.

    Adds ``participant``, ``nilai_final_recomputed`` (Decimal, half-up), ``difference`` (published minus
    recomputed), ``rank_national``, ``rank_category`` and ``rank_province`` (by the register's province) by
    :func:`rules.ranked` on the Nilai Final as published (the recomputed one where a row publishes none), in the
    order of :func:`rules.order_rows`.
    Rows without every weighted dimension score get no recomputed value.
    """
    methodology = mth.get(year)
    out = table.copy()
    dims = list(DIMENSION_COLUMNS.values())
    participants: list[bool] = []
    finals: list[Decimal | None] = []
    for row in out.to_dict("records"):
        values = {k: row[k] for k in dims if not rules.missing(row[k])}
        profile = methodology.profile(row["category"])
        has_dims = all(k in values for k, w in profile.weights.items() if w and k != "kolaborasi")
        participants.append(rules.participant(values, row["nilai_final"]))
        finals.append(rules.shown(nilai_final(values, profile)) if has_dims else None)
    out["participant"] = participants
    out["improvement"] = [
        rules.published_improvement(v, p) for v, p in zip(out["improvement"], participants, strict=True)
    ]
    out["nilai_final_recomputed"] = finals
    out["difference"] = [
        None if r is None or rules.missing(p) else p - r for p, r in zip(out["nilai_final"], finals, strict=True)
    ]
    out["_basis"] = [r if rules.missing(p) else p for p, r in zip(out["nilai_final"], finals, strict=True)]
    return rules.ranked(out, final="_basis").drop(columns=["_basis"])


def differences(recomputed: pd.DataFrame, tolerance: Decimal = TOLERANCE) -> pd.DataFrame:
    """Rows whose published Nilai Final differs from the recomputed one by more than ``tolerance``."""
    mask = recomputed["difference"].map(lambda d: d is not None and abs(d) > tolerance)
    return recomputed[mask]


def to_letter_layout(recomputed: pd.DataFrame) -> pd.DataFrame:
    """The table in the CSV column layout, plus the recomputed final, difference, ranks and the register's code and
    province (for export)."""
    out = pd.DataFrame({"no": recomputed["no"], "kab_kota": recomputed["region"], "ket": recomputed["category"]})
    for col, key in DIMENSION_COLUMNS.items():
        out[col] = recomputed[key].map(lambda v: "" if v is None else f"{v}")
    out["nilai_final"] = recomputed["nilai_final"].map(lambda v: "" if v is None else f"{v}")
    out["improvement"] = recomputed["improvement"].map(lambda v: "-" if v is None else f"{v}")
    out["nilai_final_recomputed"] = recomputed["nilai_final_recomputed"].map(lambda v: "" if v is None else f"{v}")
    out["difference"] = recomputed["difference"].map(lambda v: "" if v is None else f"{v}")
    out["rank_national"] = recomputed["rank_national"]
    out["rank_category"] = recomputed["rank_category"]
    out["rank_province"] = recomputed["rank_province"]
    out["kode"] = recomputed["region_code"]
    out["provinsi"] = recomputed["province"]
    return out


def lookup_final(table: pd.DataFrame, region: str) -> Decimal | None:
    """A region's published Nilai Final as last year's final (:func:`rules.last_year`): None when the region is
    absent or did not take part."""
    match = table[table["region"].map(slugify) == slugify(region)]
    if match.empty:
        return None
    row = match.iloc[0]
    dims = {k: row[k] for k in DIMENSION_COLUMNS.values() if not rules.missing(row[k])}
    final, _ = rules.last_year(None, (row["nilai_final"], rules.participant(dims, row["nilai_final"])))
    return None if final is None else row["nilai_final"]
