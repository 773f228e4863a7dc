"""The assessor panel's workbooks: each assessor's own workbook, merged into the panel's, and the moderation copy.

Each assessor scores alone in a workbook of their own (``smartcity-eval template ... --assessor A2``); ``merge``
combines the assessors' workbooks of one region, year and stage into the panel workbook the rest of the product
reads. It refuses, naming file, sheet and row: workbooks of different regions, years, stages or question banks
(any Profil field that differs), two files claiming one assessor code, and two different texts in the same row of
the Program or Rencana_Aksi sheet (or two values for one item of Survei_Dampak or Moderasi). Findings are
concatenated with their assessor. Inputs are only read; the output is written atomically, stamped with the newest
time recorded in the inputs, so merging the same files again gives the same bytes.

``moderation_copy`` writes a copy of a panel workbook whose Moderasi sheet lists every disputed item
(:mod:`smartcity_eval.method.moderation`), keeping the agreed scores already recorded.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES
from smartcity_eval.inputs.validation import ERROR, Problem, ValidationResult, load, validate
from smartcity_eval.inputs.workbook import (
    COLUMNS,
    MODERATION_INPUTS,
    PROFILE_FIELDS,
    SHEET_ACTION_PLAN,
    SHEET_ASSESSORS,
    SHEET_MODERATION,
    SHEET_PROFILE,
    SHEET_PROGRAMMES,
    SHEET_SURVEY,
    RawSheet,
    read_sheets,
    write_assessment,
)
from smartcity_eval.method.assessment import Assessment, empty_moderation
from smartcity_eval.method.moderation import disputed

T = i18n.section("panel")

#: when an input records no time of its own (docProps/core.xml), the output carries this one
NO_STAMP = datetime(2000, 1, 1)
MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


class PanelError(i18n.LocalizedError):
    """A merge or a moderation copy that cannot be written as asked: a key of the catalogue's ``panel`` section."""

    section = "panel"


class MergeError(ValueError):
    """The workbooks cannot be merged; ``problems`` says where, each located by file, sheet and row."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """Every problem, one per line, in ``lang``."""
        return "\n".join(p.format(lang) for p in self.problems)


@dataclass
class Source:
    """One input of a merge: its name in messages, its raw sheets (for rows) and its assessment."""

    name: str
    sheets: dict[str, RawSheet]
    assessment: Assessment

    def column(self, sheet: str, header: str) -> str | None:
        """The column letter of ``header`` in ``sheet`` of this file."""
        return self.sheets[sheet].headers.get(header) if sheet in self.sheets else None


# ----------------------------------------------------------------------------------------------- merging


def merge(paths: Sequence[Path | str]) -> Assessment:
    """The panel's assessment from the assessors' workbooks ``paths``; raises :class:`MergeError` listing every
    problem (the inputs' own validation errors first)."""
    paths = [Path(p) for p in paths]
    names = _names(paths)
    results = [validate(p) for p in paths]
    errors = [problem for r in results for problem in r.errors]
    if errors:
        raise MergeError(errors)
    sources = [_source(name, r) for name, r in zip(names, results, strict=True)]
    problems = _different_evaluations(sources) + _shared_assessors(sources)
    for sheet in (SHEET_PROGRAMMES, SHEET_ACTION_PLAN):
        problems += _different_rows(sources, sheet, [h for h, _ in COLUMNS[sheet]])
    problems += _different_rows(sources, SHEET_SURVEY, ["Rata-rata"], by_item=True)
    problems += _different_rows(sources, SHEET_MODERATION, list(MODERATION_INPUTS), by_item=True)
    if problems:
        raise MergeError(problems)
    return combine(sources)


def _names(paths: list[Path]) -> list[str]:
    """How messages name each input: its file name, or its path where two inputs share a name."""
    names = [p.name for p in paths]
    return [p.name if names.count(p.name) == 1 else str(p) for p in paths]


def _source(name: str, result: ValidationResult) -> Source:
    assert result.assessment is not None
    return Source(name, read_sheets(result.path), result.assessment)


def _row(sheet: RawSheet, header: str, value: str) -> int | None:
    """The first data row of ``sheet`` whose ``header`` cell is ``value`` (compared as stripped text, any case)."""
    wanted = value.strip().lower()
    return next((r for r, v in sheet.rows if str(v.get(header) or "").strip().lower() == wanted), None)


def _different_evaluations(sources: list[Source]) -> list[Problem]:
    """Every Profil field of a later input that differs from the first input's: region, year, stage, category (the
    question bank), code, province, cohort."""
    first, problems = sources[0], []
    for src in sources[1:]:
        for label, key in PROFILE_FIELDS:
            mine, theirs = getattr(src.assessment.profile, key), getattr(first.assessment.profile, key)
            if mine != theirs:
                row, column = _row(src.sheets[SHEET_PROFILE], "Isian", label), src.column(SHEET_PROFILE, "Nilai")
                params = (("field", label), ("first", theirs), ("other", first.name))
                problems.append(
                    Problem(
                        ERROR, "merge_profile", src.name, SHEET_PROFILE, row, column, "Nilai", mine, "same_as", params
                    )
                )
    return problems


def _shared_assessors(sources: list[Source]) -> list[Problem]:
    """An assessor code claimed by a second file, located at its row of the second file's Asesor sheet."""
    claimed: dict[str, Source] = {}
    problems = []
    for src in sources:
        for code in src.assessment.assessors.index:
            if code in claimed:
                row, column = _row(src.sheets[SHEET_ASSESSORS], "Kode", code), src.column(SHEET_ASSESSORS, "Kode")
                params = (("other", claimed[code].name),)
                problems.append(
                    Problem(ERROR, "merge_assessor", src.name, SHEET_ASSESSORS, row, column, "Kode", code, None, params)
                )
            else:
                claimed[code] = src
    return problems


def _differs(values: dict[str, Any], before: dict[str, Any], headers: list[str]) -> str | None:
    """The first of ``headers`` whose cell differs between two rows, or None."""
    return next((h for h in headers if values.get(h) != before.get(h)), None)


def _different_rows(sources: list[Source], sheet: str, headers: list[str], by_item: bool = False) -> list[Problem]:
    """A row of ``sheet`` whose ``headers`` cells differ from an earlier input's same row: the row of the same
    number (Program, Rencana_Aksi) or, ``by_item``, of the same item ID (Survei_Dampak, Moderasi)."""
    seen: dict[Any, tuple[Source, dict[str, Any]]] = {}
    problems = []
    for src in sources:
        raw = src.sheets.get(sheet)
        for r, values in raw.rows if raw is not None else []:
            key = str(values.get("ID") or "").strip() if by_item else r
            other, before = seen.setdefault(key, (src, values))
            if (h := _differs(values, before, headers)) is not None:
                where, params = (sheet, r, src.column(sheet, h), h), (("first", before.get(h)), ("other", other.name))
                problems.append(Problem(ERROR, "merge_row", src.name, *where, values.get(h), "same_as", params))
    return problems


def _rows_by_number(sources: list[Source], sheet: str, attr: str) -> pd.DataFrame:
    """The rows of ``sheet`` of every input, each row number once (the first input that has it), in row order."""
    picked: dict[int, pd.Series] = {}
    for src in sources:
        frame = getattr(src.assessment, attr)
        for (r, _), (_, record) in zip(src.sheets[sheet].rows, frame.iterrows(), strict=True):
            picked.setdefault(r, record)
    empty = getattr(sources[0].assessment, attr).iloc[0:0]
    if not picked:
        return empty
    frame = pd.DataFrame([picked[r] for r in sorted(picked)]).reset_index(drop=True)
    return frame.astype(empty.dtypes.to_dict())


def _first_per_item(frames: list[pd.Series | pd.DataFrame]) -> Any:
    """Items of every frame, each once (the first frame that has it), in order of appearance."""
    joined = pd.concat(frames)
    return joined[~joined.index.duplicated(keep="first")]


def combine(sources: list[Source]) -> Assessment:
    """The panel's assessment of inputs that agree: assessors and their score columns in code order, findings
    concatenated by assessor, region data (programmes, action plan, survey, moderation) taken once."""
    assessments = [s.assessment for s in sources]
    assessors = pd.concat([a.assessors for a in assessments]).sort_index()
    scores = pd.concat([a.scores for a in assessments], axis=1)[list(assessors.index)].astype("Int64")
    scores.index.name = "item_id"
    findings = pd.concat([a.findings for a in assessments], ignore_index=True)
    findings = findings.sort_values("assessor", kind="stable", ignore_index=True)
    moderation = _first_per_item([a.moderation for a in assessments])
    return Assessment(
        profile=assessments[0].profile,
        assessors=assessors,
        scores=scores,
        survey=_first_per_item([a.survey for a in assessments]).rename("survey"),
        programmes=_rows_by_number(sources, SHEET_PROGRAMMES, "programmes"),
        action_plan=_rows_by_number(sources, SHEET_ACTION_PLAN, "action_plan"),
        findings=findings,
        moderation=moderation if len(moderation) else empty_moderation(),
    )


# ----------------------------------------------------------------------------------------------- writing


def stamp(paths: Sequence[Path]) -> datetime:
    """The newest modification time the workbooks ``paths`` record (docProps/core.xml), as naive UTC; a fixed
    time when none records one. The same inputs give the same time, so the same output bytes."""
    times = []
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml") if "docProps/core.xml" in archive.namelist() else b""
        if match := MODIFIED.search(core):
            when = datetime.fromisoformat(match.group(1).decode().strip())
            times.append(when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when)
    return max(times, default=NO_STAMP)


def _not_an_input(output: Path, inputs: Sequence[Path]) -> None:
    """Refuse to write over an input: inputs are only ever read."""
    if any(output.resolve() == Path(p).resolve() for p in inputs):
        raise PanelError("output_is_input", path=output)


def write_panel(paths: Sequence[Path | str], output: Path | str) -> Assessment:
    """Merge the assessors' workbooks ``paths`` (:func:`merge`) and write the panel workbook to ``output``."""
    paths, output = [Path(p) for p in paths], Path(output)
    _not_an_input(output, paths)
    merged = merge(paths)
    write_assessment(merged, output, timestamp=stamp(paths))
    return merged


def with_open_disputes(assessment: Assessment) -> Assessment:
    """``assessment`` whose moderation lists every disputed item: those recorded keep their agreed score and
    reason, the others wait for the panel (no score, no reason); in the order of the Skor sheet."""
    recorded = assessment.moderation
    items = [*disputed(assessment.scores, assessment.survey).index, *recorded.index]
    order = [i for i in assessment.scores.index if i in items] + [i for i in recorded.index if i not in items]
    blank = pd.DataFrame({"agreed": pd.NA, "reason": ""}, index=pd.Index(order, name="item_id"))
    moderation = blank.astype({"agreed": "Int64", "reason": str})
    moderation.update(recorded)
    moderation = moderation.astype({"agreed": "Int64", "reason": str})
    return dataclasses.replace(assessment, moderation=moderation)


def moderation_copy(path: Path | str, output: Path | str) -> Assessment:
    """Write a copy of the panel workbook ``path`` to ``output`` with a Moderasi sheet listing every disputed item
    (:func:`with_open_disputes`); raises :class:`~smartcity_eval.inputs.validation.WorkbookError` when ``path``
    has errors."""
    path, output = Path(path), Path(output)
    _not_an_input(output, [path])
    copy = with_open_disputes(load(path))
    write_assessment(copy, output, timestamp=stamp([path]))
    return copy


# ----------------------------------------------------------------------------------------------- command line


def cmd_merge(args: argparse.Namespace) -> int:
    """``smartcity-eval merge``: write the panel workbook, or list every reason it cannot be merged."""
    try:
        merged = write_panel(args.files, args.output)
    except (MergeError, PanelError) as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    codes = ", ".join(merged.assessors.index)
    open_items = len(disputed(merged.scores, merged.survey))
    print(T(args.lang, "merged", path=args.output, n=len(merged.assessors), codes=codes, disputed=open_items))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``smartcity-eval merge A1.xlsx A2.xlsx ... -o PANEL.xlsx``."""
    p = subparsers.add_parser("merge", help="merge the assessors' workbooks of one region into the panel workbook")
    p.add_argument("files", nargs="+", type=Path, help="one workbook per assessor (smartcity-eval template --assessor)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the panel workbook to write")
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of messages (default: id)")
    p.set_defaults(func=cmd_merge)
