"""The cohort a region is compared with: every region of a year and stage, from workbooks and published tables.

Computed once per batch (``build_cohort``) and handed to each region's report as a CSV, so a report never
re-reads every other region's workbook. Participants, improvements, ranks and row order follow
:mod:`smartcity_eval.results.rules`. Every row's Kemendagri code and province are the register's
(:mod:`smartcity_eval.inputs.register`): a workbook's by its validated code, a published row's by its name
(:func:`smartcity_eval.results.national.read_published`), so province ranks group every region of a province.

A written cohort keeps, beside ``cohort.csv``, the key of what each workbook's row was computed from
(:func:`row_key`: the files of :func:`~smartcity_eval.results.sources.report_inputs`, how last year's result was
found, the software). :func:`update_cohort` takes the rows whose key is unchanged from there and validates and
scores only the other workbooks: one region edited, one workbook scored.

Text that a spreadsheet would run as a formula (a region named ``=HYPERLINK(...)``) is written with a leading
``'`` (:func:`escape_text`), as is text that starts with ``'`` itself, so that reading undoes exactly that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval import __version__
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.common.tables import neutralise, write_text_atomic
from smartcity_eval.inputs import register
from smartcity_eval.inputs.validation import Expect, validate
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import slugify
from smartcity_eval.method.scoring import ScoreCard
from smartcity_eval.results import rules
from smartcity_eval.results.national import read_published
from smartcity_eval.results.sources import previous_result, report_inputs

DIMS = list(mth.DIMENSION_KEYS)
COLUMNS = [
    "slug",
    "region",
    "region_code",
    "province",
    "category",
    "source",
    "file",
    *DIMS,
    "nilai_final",
    "improvement",
    "participant",
]


def card_row(card: ScoreCard, source: str, path: Path | None = None) -> dict[str, Any]:
    """One cohort row from a score card; code and province as the register writes them."""
    registered = register.lookup(card.region_code)
    row: dict[str, Any] = {
        "slug": slugify(card.region),
        "region": card.region,
        "region_code": card.region_code if registered is None else registered.code,
        "province": card.province if registered is None else registered.province,
        "category": card.category,
        "source": source,
        "file": str(path or ""),
    }
    row.update({k: (float(card.dimensions[k]) if k in card.dimensions else None) for k in DIMS})
    row["nilai_final"] = float(card.nilai_final)
    row["improvement"] = None if card.improvement is None else float(card.improvement)
    row["participant"] = rules.participant(card.dimensions)
    return row


def published_row(rec: dict[str, Any], path: Path) -> dict[str, Any]:
    """One cohort row from a published table's row (with the register's code and province)."""
    dims = {k: rec[k] for k in DIMS if not rules.missing(rec[k])}
    takes_part = rules.participant(dims, rec["nilai_final"])
    row: dict[str, Any] = {
        "slug": slugify(rec["region"]),
        "region": rec["region"],
        "region_code": rec["region_code"],
        "province": rec["province"],
        "category": rec["category"],
        "source": rules.PUBLISHED,
        "file": str(path),
    }
    row.update({k: (float(dims[k]) if k in dims else None) for k in DIMS})
    row["nilai_final"] = None if rules.missing(rec["nilai_final"]) else float(rec["nilai_final"])
    imp = rules.published_improvement(rec["improvement"], takes_part)
    row["improvement"] = None if imp is None else float(imp)
    row["participant"] = takes_part
    return row


def _scored(path: Path, year: int, stage: int, data_dir: Path) -> ScoreCard | None:
    result = validate(path, Expect(year=year, stage=stage))
    if result.assessment is None:
        return None
    return rules.score(result.assessment, previous_result(data_dir, year, path.stem).final)


def build_cohort(data_dir: Path, year: int, stage: int, cards: dict[str, ScoreCard] | None = None) -> pd.DataFrame:
    """Every region of ``year``/``stage``: scored workbooks first, published rows for the others; ranked and in
    the order of :func:`rules.ranked`.

    Workbooks with errors are left out (the batch reports them). ``cards`` may hold cards already scored.
    """
    data_dir, cards = Path(data_dir), cards or {}
    rows = {
        path.stem: _row(cards.get(path.stem) or _scored(path, year, stage, data_dir), path)
        for path in DataLayout(data_dir).workbooks(year, stage)
    }
    return _ranked(data_dir, year, stage, rows)


def _row(card: ScoreCard | None, path: Path) -> dict[str, Any] | None:
    return None if card is None else card_row(card, rules.WORKBOOK, path)


def _ranked(data_dir: Path, year: int, stage: int, rows: dict[str, dict[str, Any] | None]) -> pd.DataFrame:
    """The workbooks' rows (None: a workbook with errors, left out), published rows for the others, ranked."""
    found = {slug: row for slug, row in rows.items() if row is not None}
    table = DataLayout(data_dir).published(year, stage)
    if table.exists():
        for rec in read_published(table).to_dict("records"):
            found.setdefault(slugify(rec["region"]), published_row(rec, table))
    return rules.ranked(pd.DataFrame(list(found.values()), columns=COLUMNS))


# ------------------------------------------------------------------------------ a cohort from the last one


def row_key(inputs: dict[str, str | None], previous: str = "auto") -> str:
    """What a workbook's row was computed from, as one hash: the files its report reads (``inputs``, from
    :func:`~smartcity_eval.results.sources.report_inputs`: the workbook, last year's, the published tables, the
    method), how last year's result is found (``previous``) and the software version."""
    blob = json.dumps({"inputs": inputs, "previous": previous, "version": __version__}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Scored:
    """A workbook already validated and scored by the caller: its card (None: it has errors) and :func:`row_key`."""

    card: ScoreCard | None
    key: str


@dataclass(frozen=True)
class Cohort:
    """A year's cohort, the :func:`row_key` of every workbook (and whether it gave a row: False for one with
    errors), and the workbooks validated and scored to make it (the others' rows came from the last cohort)."""

    table: pd.DataFrame
    keys: dict[str, tuple[str, bool]]
    scored: tuple[str, ...] = ()


def update_cohort(
    data_dir: Path, year: int, stage: int, given: dict[str, Scored] | None = None, last: Path | None = None
) -> Cohort:
    """:func:`build_cohort`, taking each workbook's row from the cohort written at ``last`` (:func:`write_cohort`)
    when its :func:`row_key` is unchanged; other workbooks are scored (those in ``given`` already are)."""
    data_dir, given = Path(data_dir), given or {}
    known = known_rows(last) if last is not None else {}
    found = {
        path.stem: _found(path, year, stage, data_dir, given, known)
        for path in DataLayout(data_dir).workbooks(year, stage)
    }
    rows = {slug: row for slug, (_, row, _) in found.items()}
    keys = {slug: (key, row is not None) for slug, (key, row, _) in found.items()}
    scored = tuple(slug for slug, (_, _, fresh) in found.items() if fresh)
    return Cohort(_ranked(data_dir, year, stage, rows), keys, scored)


def _found(
    path: Path, year: int, stage: int, data_dir: Path, given: dict[str, Scored], known: dict[str, Any]
) -> tuple[str, dict[str, Any] | None, bool]:
    """A workbook's (row key, row, whether it was scored here): given, the last cohort's, or scored now."""
    slug = path.stem
    if slug in given:
        return given[slug].key, _row(given[slug].card, path), False
    key = row_key(report_inputs(data_dir, slug, year, stage))
    if slug in known and known[slug][0] == key:
        return key, known[slug][1], False
    return key, _row(_scored(path, year, stage, data_dir), path), True


def keys_path(csv: Path) -> Path:
    """Where the row keys of the cohort at ``csv`` are kept: ``cohort.json`` beside ``cohort.csv``."""
    return Path(csv).with_suffix(".json")


def escape_text(value: Any) -> Any:
    """``value`` safe in a spreadsheet: text a spreadsheet would run (:func:`neutralise`), or that starts with ``'``,
    gets a leading ``'``; :func:`unescape_text` undoes it."""
    if isinstance(value, str) and (value.startswith("'") or neutralise(value) != value):
        return "'" + value
    return value


def unescape_text(value: Any) -> Any:
    """The text :func:`escape_text` was given."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]


def _mapped(frame: pd.DataFrame, how: Any) -> pd.DataFrame:
    """A copy of ``frame`` with ``how`` applied to every cell of its text columns."""
    out = frame.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(how)
    return out


def write_cohort(cohort: Cohort, csv: Path) -> str:
    """Write ``cohort.table`` to ``csv`` (only when it changed; its text escaped, :func:`escape_text`) and its row keys
    beside it; returns the CSV text."""
    text = _mapped(cohort.table, escape_text).to_csv(index=False)
    if not csv.exists() or csv.read_text(encoding="utf-8") != text:
        write_text_atomic(csv, text)
    record = {
        "csv_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "rows": {slug: {"key": key, "row": has_row} for slug, (key, has_row) in sorted(cohort.keys.items())},
    }
    write_text_atomic(keys_path(csv), json.dumps(record, indent=1))
    return text


def known_rows(csv: Path) -> dict[str, tuple[str, dict[str, Any] | None]]:
    """The workbook rows of the cohort written at ``csv``, by workbook: (row key, row or None for a workbook with
    errors). Empty when there is none, or its keys are not those of this very CSV (written by something else)."""
    try:
        record = json.loads(keys_path(csv).read_text(encoding="utf-8"))
        text = Path(csv).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("csv_sha256") != hashlib.sha256(text.encode()).hexdigest():
        return {}
    rows = _workbook_rows(csv)
    return {slug: (entry["key"], rows.get(slug) if entry["row"] else None) for slug, entry in record["rows"].items()}


def _workbook_rows(csv: Path) -> dict[str, dict[str, Any]]:
    """The workbook rows of a written cohort, by workbook file name, as :func:`card_row` made them (numbers read
    back exactly by :func:`float`, which inverts the shortest representation the CSV holds)."""
    frame = _mapped(pd.read_csv(csv, dtype=str, keep_default_na=False), unescape_text)
    rows = {}
    for rec in frame[frame["source"] == rules.WORKBOOK][COLUMNS].to_dict("records"):
        row: dict[str, Any] = {k: rec[k] or (None if k == "region_code" else "") for k in COLUMNS[:7]}
        row.update({k: float(rec[k]) if rec[k] else None for k in [*DIMS, "nilai_final", "improvement"]})
        row["participant"] = rec["participant"] == "True"
        rows[Path(rec["file"]).stem] = row
    return rows


def read_cohort(path: Path) -> pd.DataFrame:
    """Read a cohort CSV written by the batch."""
    frame = pd.read_csv(path, keep_default_na=True, dtype={"region_code": str, "province": str, "file": str})
    frame = _mapped(frame, unescape_text)
    frame["province"] = frame["province"].fillna("")
    for col in rules.RANKS:
        frame[col] = frame[col].astype("Int64")
    frame["participant"] = frame["participant"].astype(bool)
    return frame


def category_median(cohort: pd.DataFrame, category: str | None = None) -> pd.Series:
    """Median of each dimension and of Nilai Final among the category's participants (every participant when
    ``category`` is None)."""
    members = cohort[cohort["participant"].astype(bool)]
    if category is not None:
        members = members[members["category"] == category]
    return members[[*DIMS, "nilai_final"]].median(numeric_only=True)
