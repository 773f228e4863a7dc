"""Check an assessment workbook and turn it into an :class:`Assessment`.

Every problem is collected (not just the first) with file, sheet, row, column, the value found and what
was expected; messages are Indonesian by default, English on request. Errors make a workbook unusable;
warnings (a partly scored item, a blank finding) do not.
"""

from __future__ import annotations

import functools
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.inputs.workbook import (
    COLUMNS,
    KIND_LABELS,
    MODERATION_INPUTS,
    PROFILE_FIELDS,
    REQUIRED_SHEETS,
    SHEET_ACTION_PLAN,
    SHEET_ASSESSORS,
    SHEET_FINDINGS,
    SHEET_MODERATION,
    SHEET_PROFILE,
    SHEET_PROGRAMMES,
    SHEET_SCORES,
    SHEET_SURVEY,
    STATUS_LABELS,
    YES_NO,
    RawSheet,
    UnreadableWorkbook,
    read_sheets,
    scores_text,
)
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import (
    Assessment,
    Profile,
    empty_action_plan,
    empty_findings,
    empty_moderation,
    empty_programmes,
    slugify,
)
from smartcity_eval.method.moderation import disputed

ERROR, WARNING = "error", "warning"
REGION_CODE = re.compile(r"^\d{2}\.\d{2}$")
PLACE = re.compile(r"(?P<year>\d{4})[/\\]tahap-(?P<stage>[12])[/\\](?P<slug>[^/\\]+)\.xlsx$")


MESSAGES = i18n.section("validation")
LABELS = i18n.section("labels")
EXPECTED = i18n.section("expected")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``code`` names what is wrong (a message of the catalogue's ``validation`` section) and ``expected`` what was
    expected (a message of its ``expected`` section, e.g. ``"score"`` or ``"one_of"``); ``params`` fill the
    placeholders of both (``(("choices", "A1, A2"),)``).
    """

    severity: str
    code: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: Any = None
    expected: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    key: str | None = None  # in a YAML file (an issuer file): the key, e.g. ``signatory.name``

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise KeyError(f"no message 'validation.{self.code}' in the catalogues")
        if self.expected is not None and self.expected not in EXPECTED:
            raise KeyError(f"no message 'expected.{self.expected}' in the catalogues")

    def message(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """What is wrong, in ``lang``."""
        return MESSAGES(lang, self.code, **dict(self.params))

    def expected_text(self, lang: str = i18n.DEFAULT_LANG) -> str | None:
        """What was expected, in ``lang`` (None when nothing particular)."""
        return None if self.expected is None else EXPECTED(lang, self.expected, **dict(self.params))

    def format(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """``file › sheet › row 12, column G (A3): score out of range — value: 7; expected: ...``."""
        lab = LABELS[lang]
        where = [self.file]
        if self.sheet:
            where.append(self.sheet)
        loc = []
        if self.row is not None:
            loc.append(f"{lab('row')} {self.row}")
        if self.column or self.header:
            col = self.column or ""
            loc.append(f"{lab('column')} {col}{f' ({self.header})' if self.header else ''}".replace("  ", " "))
        if self.key:
            loc.append(f"{lab('key')} {self.key}")
        if loc:
            where.append(", ".join(loc))
        text = f"{lab(self.severity)}: {' › '.join(where)}: {self.message(lang)}"
        if self.value is not None:
            text += f" — {lab('value')}: {self.value!r}"
        expected = self.expected_text(lang)
        if expected:
            text += f"; {lab('expected')}: {expected}"
        return text

    def to_dict(self, lang: str = i18n.DEFAULT_LANG) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "key": self.key,
            "value": None if self.value is None else str(self.value),
            "expected": self.expected_text(lang),
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class Expect:
    """What the run expects of a workbook (None = anything)."""

    year: int | None = None
    stage: int | None = None
    region: str | None = None  # slug


@dataclass
class ValidationResult:
    """Problems found in one file and, when it has no error, the assessment it holds."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    assessment: Assessment | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """All problems, one per line."""
        return "\n".join(p.format(lang) for p in self.problems) or f"{self.path.name}: {LABELS(lang, 'ok')}"


class WorkbookError(ValueError):
    """A workbook has errors; ``result`` holds them all."""

    def __init__(self, result: ValidationResult) -> None:
        self.result = result
        super().__init__(self.message())

    def message(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Every error, one per line, in ``lang``."""
        return "\n".join(p.format(lang) for p in self.result.errors)


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        severity: str,
        code: str,
        sheet: str | None = None,
        row: int | None = None,
        header: str | None = None,
        raw: RawSheet | None = None,
        value: Any = None,
        expected: str | None = None,
        **params: Any,
    ) -> None:
        """Record a problem: ``code`` and ``expected`` are catalogue keys, ``params`` fill their placeholders."""
        column = raw.headers.get(header) if raw is not None and header else None
        self.problems.append(
            Problem(severity, code, self.file, sheet, row, column, header, value, expected, tuple(params.items()))
        )

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)


def _as_int(value: Any) -> int | None:
    """An int for 3, 3.0 or '3'; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return None
    return None


def _choice(value: Any, options: dict[str, str]) -> str | None:
    """Map a cell to an option key, accepting the key or its label in any case."""
    if value is None:
        return None
    text = str(value).strip().lower()
    for key, label in options.items():
        if text in (key.lower(), label.lower(), key.lower().replace("_", " ")):
            return key
    return None


def _chosen(
    c: _Collector, sheet: str, row: int, column: str, raw: RawSheet, value: Any, options: dict[str, str]
) -> str | None:
    """The option key of a cell (:func:`_choice`), or None with an error naming the options."""
    key = _choice(value, options)
    if key is None:
        c.add(ERROR, "choice", sheet, row, column, raw, value, "literal", text=", ".join(options.values()))
    return key


FORMULA_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _formulas(c: _Collector, sheets: dict[str, RawSheet]) -> None:
    """A formula in a score cell is an error (its cached value is not the assessor's score: type the number); in any
    other cell a warning (only its last result is read)."""
    fixed = {h for h, _ in COLUMNS[SHEET_SCORES]}
    for raw in sheets.values():
        by_letter = {letter: header for header, letter in raw.headers.items()}
        for ref, formula in raw.formulas.items():
            match = FORMULA_CELL.match(ref)
            if match is None:
                continue
            header, row = by_letter.get(match.group(1)), int(match.group(2))
            if raw.name == SHEET_SCORES and row > 1 and header is not None and header not in fixed:
                c.add(ERROR, "formula_score", raw.name, row, header, raw, formula, "typed_score")
            else:
                c.add(WARNING, "formula_text", raw.name, row, header or match.group(1), raw, formula, "typed_text")


def _columns(c: _Collector, sheets: dict[str, RawSheet], sheet: str) -> RawSheet | None:
    raw = sheets.get(sheet)
    if raw is None:
        c.add(ERROR, "missing_sheet", sheet, expected="literal", text=", ".join(REQUIRED_SHEETS))
        return None
    missing = [h for h, _ in COLUMNS[sheet] if h not in raw.headers]
    for h in missing:
        c.add(ERROR, "missing_column", sheet, 1, h, expected="literal", text=", ".join(h for h, _ in COLUMNS[sheet]))
    return None if missing else raw


def _profile(c: _Collector, raw: RawSheet, path: Path, expect: Expect) -> Profile | None:
    by_label = {str(v.get("Isian")).strip().lower(): (r, v.get("Nilai")) for r, v in raw.rows if v.get("Isian")}
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for label, key in PROFILE_FIELDS:
        r, value = by_label.get(label.lower(), (None, None))
        rows[key] = r or 0
        if value is None or str(value).strip() == "":
            if key != "cohort":
                c.add(ERROR, "profile_missing", SHEET_PROFILE, r, "Nilai", raw, expected="literal", text=label)
            values[key] = "" if key == "cohort" else None
            continue
        values[key] = value
    for key in ("year", "stage"):
        if values.get(key) is not None:
            as_int = _as_int(values[key])
            if as_int is None or (key == "stage" and as_int not in (1, 2)):
                c.add(
                    ERROR,
                    "profile_value",
                    SHEET_PROFILE,
                    rows[key],
                    "Nilai",
                    raw,
                    values[key],
                    "stage" if key == "stage" else "year",
                )
                values[key] = None
            else:
                values[key] = as_int
    if values.get("category") is not None:
        cat = str(values["category"]).strip().upper().replace(" ", "")
        if cat not in mth.CATEGORIES:
            c.add(
                ERROR,
                "profile_value",
                SHEET_PROFILE,
                rows["category"],
                "Nilai",
                raw,
                values["category"],
                "either",
                a=mth.CATEGORIES[0],
                b=mth.CATEGORIES[1],
            )
            values["category"] = None
        else:
            values["category"] = cat
    if values.get("region_code") is not None:
        code = str(values["region_code"]).strip()
        if not REGION_CODE.match(code):
            c.add(
                ERROR,
                "region_code",
                SHEET_PROFILE,
                rows["region_code"],
                "Nilai",
                raw,
                values["region_code"],
                "region_code",
            )
        else:
            _register(c, raw, rows, code, values.get("region"), values.get("province"))
        values["region_code"] = code
    year = values.get("year")
    if year is not None and year not in mth.years():
        c.add(
            ERROR,
            "no_year",
            SHEET_PROFILE,
            rows["year"],
            "Nilai",
            raw,
            year,
            "literal",
            text=", ".join(map(str, mth.years())),
        )
    elif year is not None and values.get("category") and values["category"] not in mth.get(year).profiles:
        c.add(
            ERROR,
            "no_profile",
            SHEET_PROFILE,
            rows["category"],
            "Nilai",
            raw,
            values["category"],
            "literal",
            text=", ".join(mth.get(year).profiles),
            year=year,
        )

    place = PLACE.search(path.as_posix())
    checks = []
    if place:
        checks += [
            ("contradicts_place", "year", int(place["year"])),
            ("contradicts_place", "stage", int(place["stage"])),
            ("contradicts_place", "region", place["slug"]),
        ]
    checks += [
        ("contradicts_run", k, getattr(expect, k))
        for k in ("year", "stage", "region")
        if getattr(expect, k) is not None
    ]
    for code, key, wanted in checks:
        got = values.get(key)
        if got is None:
            continue
        if key == "region":
            try:
                got = slugify(str(got))
            except ValueError:
                got = ""
        if got != wanted:
            c.add(
                ERROR,
                code,
                SHEET_PROFILE,
                rows[key],
                "Nilai",
                raw,
                values[key],
                "literal",
                text=f"{wanted}",
                path=f"{place[0] if place else ''}",
            )
    if any(values.get(k) is None for k in ("region", "region_code", "province", "category", "year", "stage")):
        return None
    return Profile(
        str(values["region"]).strip(),
        values["region_code"],
        str(values["province"]).strip(),
        values["category"],
        str(values.get("cohort") or ""),
        values["year"],
        values["stage"],
    )


def _register(c: _Collector, raw: RawSheet, rows: dict[str, int], code: str, region: Any, province: Any) -> None:
    """Compare code, name and province with the Kemendagri region register; one error per disagreement."""
    from smartcity_eval.inputs import register

    name = None if region is None else str(region).strip()
    prov = None if province is None else str(province).strip()
    for fld, got, _ in register.check_profile(code, name, prov):
        if fld == "code":
            known = (register.find(name, prov) or register.find(name)) if name else None
            expected = "registered_code_of" if known else "registered_code"
            more = {"region": known.label} if known else {}
            row = rows["region_code"]
            c.add(ERROR, "register", SHEET_PROFILE, row, "Nilai", raw, got, expected, source=register.source(), **more)
            continue
        expected = register.lookup(code).label
        known = (register.find(name, prov) or register.find(name)) if fld == "name" and name else None
        if known is not None:
            expected += f" ({known.name} = {known.code})"
        c.add(
            ERROR,
            "register",
            SHEET_PROFILE,
            rows["region" if fld == "name" else "province"],
            "Nilai",
            raw,
            got,
            "literal",
            text=expected,
        )


def _assessors(c: _Collector, raw: RawSheet) -> pd.DataFrame:
    rows = []
    seen: set[str] = set()
    for r, v in raw.rows:
        code = v.get("Kode")
        name = v.get("Nama")
        if code is None or (name is None and v.get("Afiliasi") is None):
            continue
        code = str(code).strip().upper()
        if code in seen:
            c.add(ERROR, "duplicate_assessor", SHEET_ASSESSORS, r, "Kode", raw, code, "assessor_code")
            continue
        seen.add(code)
        if name is None:
            c.add(ERROR, "assessor_name", SHEET_ASSESSORS, r, "Nama", raw, expected="assessor_name")
            continue
        rows.append({"code": code, "name": str(name), "affiliation": str(v.get("Afiliasi") or "")})
    if not rows:
        c.add(ERROR, "empty_panel", SHEET_ASSESSORS, expected="panel")
    return pd.DataFrame(rows, columns=["code", "name", "affiliation"]).set_index("code")


def _scores(
    c: _Collector, raw: RawSheet, panel: pd.DataFrame | None, methodology: mth.Methodology | None, category: str | None
) -> pd.DataFrame:
    """The Skor sheet; its score columns are checked against ``panel`` (None: the Asesor sheet cannot be read)."""
    fixed = {h for h, _ in COLUMNS[SHEET_SCORES]}
    score_headers = [h for h in raw.headers if h not in fixed]
    bank = methodology.question_bank(category) if methodology and category in methodology.profiles else None
    codes = list(panel.index) if panel is not None else sorted({h.upper() for h in score_headers})
    data: dict[str, dict[str, int | None]] = {}
    first_row: dict[str, int] = {}
    used_headers: set[str] = set()
    for r, v in raw.rows:
        item_id = v.get("ID")
        if item_id is None:
            c.add(ERROR, "required", SHEET_SCORES, r, "ID", raw, expected="item_id")
            continue
        item_id = str(item_id).strip()
        if item_id in first_row:
            c.add(
                ERROR,
                "duplicate_item",
                SHEET_SCORES,
                r,
                "ID",
                raw,
                item_id,
                "once",
                first=first_row[item_id],
            )
            continue
        first_row[item_id] = r
        if bank is not None and item_id not in bank.index:
            c.add(
                ERROR,
                "unknown_item",
                SHEET_SCORES,
                r,
                "ID",
                raw,
                item_id,
                "bank_id",
                year=methodology.year,
                category=category,
            )
            continue
        row_scores: dict[str, int | None] = {}
        for h in score_headers:
            value = v.get(h)
            if value is None:
                continue
            used_headers.add(h)
            as_int = _as_int(value)
            if as_int is None:
                c.add(ERROR, "score_type", SHEET_SCORES, r, h, raw, value, "score")
            elif not 0 <= as_int <= 4:
                c.add(ERROR, "score_range", SHEET_SCORES, r, h, raw, value, "score_range")
            else:
                row_scores[h.upper()] = as_int
        data[item_id] = row_scores
    for h in sorted(used_headers):
        if panel is not None and h.upper() not in codes:
            c.add(ERROR, "score_column_unknown", SHEET_SCORES, 1, h, raw, h, "one_of", choices=", ".join(codes) or "-")
    frame = pd.DataFrame.from_dict(data, orient="index", columns=codes, dtype="Int64")
    frame.index.name = "item_id"
    if bank is not None and codes:
        given = frame.notna().sum(axis=1).to_dict()
        for item_id in bank.index:
            if item_id not in first_row:
                c.add(WARNING, "missing_item", SHEET_SCORES, value=item_id)
            elif item_id in given:
                n = int(given[item_id])
                if n == 0:
                    c.add(WARNING, "unscored_item", SHEET_SCORES, first_row[item_id], "ID", raw, item_id)
                elif n < len(codes):
                    c.add(
                        WARNING,
                        "partial_panel",
                        SHEET_SCORES,
                        first_row[item_id],
                        "ID",
                        raw,
                        item_id,
                        n=n,
                        panel=len(codes),
                    )
    return frame


def _survey(c: _Collector, raw: RawSheet | None, bank: pd.DataFrame | None) -> pd.Series:
    values: dict[str, float] = {}
    if raw is None:
        return pd.Series(values, dtype="float64", name="survey")
    for r, v in raw.rows:
        avg = v.get("Rata-rata")
        item_id = v.get("ID")
        if avg is None or item_id is None:
            continue
        item_id = str(item_id).strip()
        number = _as_number(avg)
        if number is None:
            c.add(ERROR, "survey_type", SHEET_SURVEY, r, "Rata-rata", raw, avg, "survey")
        elif not 0 <= number <= 4:
            c.add(ERROR, "survey_range", SHEET_SURVEY, r, "Rata-rata", raw, avg, "survey")
        elif bank is not None and (item_id not in bank.index or bank.at[item_id, "dimension"] != "impact"):
            c.add(ERROR, "survey_item", SHEET_SURVEY, r, "ID", raw, item_id, "impact_item")
        else:
            values[item_id] = number
    return pd.Series(values, dtype="float64", name="survey")


def _programmes(c: _Collector, raw: RawSheet, methodology: mth.Methodology | None) -> pd.DataFrame:
    methodology = methodology or mth.get(mth.years()[-1])
    pillars = {p.key: p.name for p in methodology.pillars}
    subs = {s.key: s.name_id for p in methodology.pillars for s in p.sub_dimensions}
    rows = []
    for r, v in raw.rows:
        pillar = _chosen(c, SHEET_PROGRAMMES, r, "Pilar", raw, v.get("Pilar"), pillars)
        status = _chosen(c, SHEET_PROGRAMMES, r, "Status", raw, v.get("Status"), STATUS_LABELS)
        ok = pillar is not None and status is not None
        qw = v.get("Quick win")
        qw_key = _choice(qw, {"Ya": "Ya", "Tidak": "Tidak"}) if qw is not None else "Tidak"
        if qw_key is None:
            c.add(ERROR, "choice", SHEET_PROGRAMMES, r, "Quick win", raw, qw, "yes_no")
            ok = False
        if v.get("Nama program") is None:
            c.add(ERROR, "required", SHEET_PROGRAMMES, r, "Nama program", raw, expected="programme_name")
            ok = False
        if ok:
            rows.append(
                {
                    "pillar": pillar,
                    "sub_dimension": _choice(v.get("Subdimensi"), subs) or "",
                    "name": str(v["Nama program"]),
                    "agency": str(v.get("OPD penanggung jawab") or ""),
                    "quick_win": YES_NO[qw_key],
                    "status": status,
                }
            )
    return pd.DataFrame(rows) if rows else empty_programmes()


def _action_plan(c: _Collector, raw: RawSheet, methodology: mth.Methodology | None) -> pd.DataFrame:
    methodology = methodology or mth.get(mth.years()[-1])
    cats = {a.key: a.name_id for a in methodology.action_plan_categories}
    rows = []
    for r, v in raw.rows:
        cat = _chosen(c, SHEET_ACTION_PLAN, r, "Kategori", raw, v.get("Kategori"), cats)
        ok = cat is not None
        counts = {}
        for h in ("Rencana", "Terlaksana"):
            n = _as_int(v.get(h))
            if n is None or n < 0:
                c.add(ERROR, "count", SHEET_ACTION_PLAN, r, h, raw, v.get(h), "count")
                ok = False
            counts[h] = n
        if ok and counts["Terlaksana"] > counts["Rencana"]:
            c.add(
                ERROR,
                "done_gt_planned",
                SHEET_ACTION_PLAN,
                r,
                "Terlaksana",
                raw,
                counts["Terlaksana"],
                "at_most",
                planned=counts["Rencana"],
            )
            ok = False
        if ok:
            rows.append(
                {
                    "category": cat,
                    "activity": str(v.get("Kegiatan") or ""),
                    "planned": counts["Rencana"],
                    "done": counts["Terlaksana"],
                }
            )
    return pd.DataFrame(rows) if rows else empty_action_plan()


def _findings(c: _Collector, raw: RawSheet, panel: pd.DataFrame | None) -> pd.DataFrame:
    """The Temuan sheet; each finding's assessor is checked against ``panel`` (None: the Asesor sheet cannot be
    read)."""
    rows = []
    for r, v in raw.rows:
        code = str(v.get("Asesor") or "").strip().upper()
        text = v.get("Teks")
        ok = True
        if panel is not None and code not in panel.index:
            c.add(
                ERROR,
                "finding_assessor",
                SHEET_FINDINGS,
                r,
                "Asesor",
                raw,
                v.get("Asesor"),
                "literal",
                text=", ".join(panel.index) or "-",
            )
            ok = False
        kind = _chosen(c, SHEET_FINDINGS, r, "Jenis", raw, v.get("Jenis"), KIND_LABELS)
        if kind is None:
            ok = False
        if text is None or not str(text).strip():
            c.add(WARNING, "blank_finding", SHEET_FINDINGS, r, "Teks", raw)
            ok = False
        if ok:
            rows.append({"assessor": code, "kind": kind, "text": str(text)})
    return pd.DataFrame(rows) if rows else empty_findings()


def _moderation(c: _Collector, raw: RawSheet | None, scores: pd.DataFrame | None) -> pd.DataFrame:
    """The Moderasi sheet: per item an agreed score (0-4, blank while the panel has not settled it) and, with a
    score, a reason. Returns index ``item_id``, columns ``agreed`` and ``reason``, with the sheet's rows."""
    if raw is None:
        return empty_moderation()
    missing = [h for h in MODERATION_INPUTS if h not in raw.headers]
    for h in missing:
        c.add(ERROR, "missing_column", SHEET_MODERATION, 1, h, expected="literal", text=", ".join(MODERATION_INPUTS))
    rows: dict[str, tuple[int | None, str]] = {}
    first_row: dict[str, int] = {}
    for r, v in [] if missing else raw.rows:
        item_id = None if v.get("ID") is None else str(v["ID"]).strip()
        if item_id is None or (scores is not None and item_id not in scores.index):
            c.add(ERROR, "moderation_item", SHEET_MODERATION, r, "ID", raw, item_id, "item_id")
        elif item_id in first_row:
            c.add(ERROR, "duplicate_item", SHEET_MODERATION, r, "ID", raw, item_id, "once", first=first_row[item_id])
        else:
            first_row[item_id] = r
            rows[item_id] = _agreed(c, raw, r, v)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["agreed", "reason"])
    frame.index.name = "item_id"
    return frame.astype({"agreed": "Int64", "reason": str}) if rows else empty_moderation()


def _agreed(c: _Collector, raw: RawSheet, r: int, v: dict[str, Any]) -> tuple[int | None, str]:
    """One Moderasi row's agreed score and reason; a score outside 0-4 or without a reason is an error."""
    value, reason = v.get("Skor disepakati"), str(v.get("Alasan") or "").strip()
    if value is None:
        return None, reason
    score = _as_int(value)
    if score is None:
        c.add(ERROR, "score_type", SHEET_MODERATION, r, "Skor disepakati", raw, value, "score")
    elif not 0 <= score <= 4:
        c.add(ERROR, "score_range", SHEET_MODERATION, r, "Skor disepakati", raw, value, "score_range")
    elif not reason:
        c.add(ERROR, "moderation_reason", SHEET_MODERATION, r, "Alasan", raw, expected="reason")
    else:
        return score, reason
    return None, reason


def _open_disputes(
    c: _Collector, raws: dict[str, RawSheet | None], scores: pd.DataFrame, survey: pd.Series, moderation: pd.DataFrame
) -> None:
    """A warning for every disputed item the panel has not settled: at its Moderasi row, else at its Skor row."""
    settled = moderation.index[moderation["agreed"].notna()]
    for item_id, spread in disputed(scores, survey).items():
        if item_id in settled:
            continue
        sheet = SHEET_MODERATION if item_id in moderation.index else SHEET_SCORES
        raw = raws[sheet]
        row = next((r for r, v in raw.rows if str(v.get("ID") or "").strip() == item_id), None) if raw else None
        given = scores_text(scores.loc[item_id].dropna())
        c.add(WARNING, "dispute_open", sheet, row, "ID", raw, item_id, "moderation", scores=given, spread=spread)


def validate(path: Path | str, expect: Expect | None = None) -> ValidationResult:
    """Check one workbook; never writes to it. The result holds every problem and, if clean, the assessment.

    A workbook unchanged since this process last checked it (same size, modification time and inode) is not read
    again: the report server and the preview check the region's earlier workbooks on every render, and only the one
    being edited changes. A file modified in the last :data:`SETTLED_NS` is always read (a save within the clock's
    tick would leave its time as it was). Results are shared, not copied: treat them as read-only."""
    path, expect = Path(path), expect or Expect()
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is None or time.time_ns() - st.st_mtime_ns < SETTLED_NS:
        return _validate(path, expect)
    return _validate_unchanged(path, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), expect)


#: how long ago a workbook must have been modified for its check to be kept (see :func:`validate`)
SETTLED_NS = 2_000_000_000


@functools.lru_cache(maxsize=64)
def _validate_unchanged(path: Path, _identity: tuple[int, ...], expect: Expect) -> ValidationResult:
    return _validate(path, expect)


def _validate(path: Path, expect: Expect) -> ValidationResult:
    c = _Collector(path.name)
    result = ValidationResult(path)
    try:
        sheets = read_sheets(path)
    except UnreadableWorkbook as exc:
        c.add(ERROR, "unreadable", expected="template_file", detail=exc.msg)
        result.problems = c.problems
        return result
    _formulas(c, sheets)
    raws = {name: _columns(c, sheets, name) for name in REQUIRED_SHEETS}
    survey_raw = sheets.get(SHEET_SURVEY)
    profile = _profile(c, raws[SHEET_PROFILE], path, expect) if raws[SHEET_PROFILE] else None
    methodology = None
    if profile is not None and profile.year in mth.years():
        methodology = mth.get(profile.year)
    category = profile.category if profile else None
    # a sheet that cannot be read is one error: what depends on it (score columns, findings' assessors, moderated
    # items) is not checked against it, so a renamed column does not bring thirty knock-on errors
    known_panel = _assessors(c, raws[SHEET_ASSESSORS]) if raws[SHEET_ASSESSORS] else None
    panel = known_panel if known_panel is not None else pd.DataFrame()
    bank = methodology.question_bank(category) if methodology and category in methodology.profiles else None
    scores = (
        _scores(c, raws[SHEET_SCORES], known_panel, methodology, category)
        if raws[SHEET_SCORES] is not None
        else pd.DataFrame()
    )
    survey = _survey(c, survey_raw, bank)
    if bank is not None and raws[SHEET_SCORES] is not None:
        scored = set(scores.index[scores.notna().any(axis=1)]) if len(scores.columns) else set()
        scored |= set(survey.index)
        for dim in methodology.dimensions_for(category):
            if not any(i in scored for i in bank.index[bank["dimension"] == dim.key]):
                c.add(
                    ERROR,
                    "dimension_unscored",
                    SHEET_SCORES,
                    value=None,
                    expected="scored_item",
                    dimension=i18n.Localized(id=dim.name_id, en=dim.name_en),
                )
    programmes = _programmes(c, raws[SHEET_PROGRAMMES], methodology) if raws[SHEET_PROGRAMMES] else None
    action_plan = _action_plan(c, raws[SHEET_ACTION_PLAN], methodology) if raws[SHEET_ACTION_PLAN] else None
    findings = _findings(c, raws[SHEET_FINDINGS], known_panel) if raws[SHEET_FINDINGS] else None
    raws[SHEET_MODERATION] = sheets.get(SHEET_MODERATION)
    moderation = _moderation(c, raws[SHEET_MODERATION], scores if raws[SHEET_SCORES] is not None else None)
    if len(scores.columns):
        _open_disputes(c, raws, scores, survey, moderation)
    result.problems = c.problems
    if not c.has_errors and profile is not None:
        result.assessment = Assessment(
            profile, panel, scores, survey, programmes, action_plan, findings, path, moderation
        )
    return result


def load(path: Path | str, expect: Expect | None = None) -> Assessment:
    """The assessment in ``path``; raises :class:`WorkbookError` listing every error."""
    result = validate(path, expect)
    if result.assessment is None:
        raise WorkbookError(result)
    return result.assessment
