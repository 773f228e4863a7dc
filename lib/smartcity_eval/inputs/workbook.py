"""The assessment workbook (xlsx): its layout, the ready-to-fill template, and a raw reader.

The file format is fixed and Indonesian (sheet and column names below), whatever the user's language.
Reading never writes to the input: it opens the file read-only. Validation and conversion into an
:class:`~smartcity_eval.method.assessment.Assessment` live in :mod:`smartcity_eval.inputs.validation`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from smartcity_eval.common import i18n
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment

MAX_ASSESSORS = 5

SHEET_INSTRUCTIONS = "Petunjuk"
SHEET_PROFILE = "Profil"
SHEET_ASSESSORS = "Asesor"
SHEET_SCORES = "Skor"
SHEET_SURVEY = "Survei_Dampak"
SHEET_PROGRAMMES = "Program"
SHEET_ACTION_PLAN = "Rencana_Aksi"
SHEET_FINDINGS = "Temuan"
SHEET_MODERATION = "Moderasi"

#: sheet -> [(header in the file, field name in code)]
COLUMNS: dict[str, list[tuple[str, str]]] = {
    SHEET_PROFILE: [("Isian", "field"), ("Nilai", "value")],
    SHEET_ASSESSORS: [("Kode", "code"), ("Nama", "name"), ("Afiliasi", "affiliation")],
    SHEET_SCORES: [
        ("ID", "item_id"),
        ("Dimensi", "dimension"),
        ("Elemen", "element"),
        ("Indikator", "indicator"),
        ("Pertanyaan", "question"),
    ],
    SHEET_SURVEY: [("ID", "item_id"), ("Pertanyaan", "question"), ("Rata-rata", "average")],
    SHEET_PROGRAMMES: [
        ("Pilar", "pillar"),
        ("Subdimensi", "sub_dimension"),
        ("Nama program", "name"),
        ("OPD penanggung jawab", "agency"),
        ("Quick win", "quick_win"),
        ("Status", "status"),
    ],
    SHEET_ACTION_PLAN: [
        ("Kategori", "category"),
        ("Kegiatan", "activity"),
        ("Rencana", "planned"),
        ("Terlaksana", "done"),
    ],
    SHEET_FINDINGS: [("Asesor", "assessor"), ("Jenis", "kind"), ("Teks", "text")],
    SHEET_MODERATION: [
        ("ID", "item_id"),
        ("Dimensi", "dimension"),
        ("Pertanyaan", "question"),
        ("Skor asesor", "scores"),
        ("Selisih", "spread"),
        ("Skor disepakati", "agreed"),
        ("Alasan", "reason"),
    ],
}
REQUIRED_SHEETS = (SHEET_PROFILE, SHEET_ASSESSORS, SHEET_SCORES, SHEET_PROGRAMMES, SHEET_ACTION_PLAN, SHEET_FINDINGS)
#: the columns of the Moderasi sheet the panel fills in (the others show what was disputed)
MODERATION_INPUTS = ("ID", "Skor disepakati", "Alasan")

#: profile rows: label in the file -> Profile field
PROFILE_FIELDS: list[tuple[str, str]] = [
    ("Nama daerah", "region"),
    ("Kode wilayah Kemendagri", "region_code"),
    ("Provinsi", "province"),
    ("Kategori", "category"),
    ("Kohort", "cohort"),
    ("Tahun evaluasi", "year"),
    ("Tahap", "stage"),
]
STATUS_LABELS = {"berjalan": "Berjalan", "belum_berjalan": "Belum berjalan", "terhenti": "Terhenti"}
KIND_LABELS = {"kekuatan": "Kekuatan", "kelemahan": "Kelemahan", "rekomendasi": "Rekomendasi"}
YES_NO = {"Ya": True, "Tidak": False}

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")


def assessor_codes(n: int = MAX_ASSESSORS) -> list[str]:
    """``['A1', ..., 'An']``."""
    return [f"A{i}" for i in range(1, n + 1)]


# --------------------------------------------------------------------------- reading


@dataclass
class RawSheet:
    """A sheet as read: header name -> column letter, and data rows with their row numbers."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    formulas: dict[str, str] = field(default_factory=dict)  # cell reference (G12) -> formula (=AVERAGE(G2:I2))


#: the first bytes of an OLE compound file: what Excel saves when a workbook is protected with a password
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


class UnreadableWorkbook(i18n.LocalizedError):
    """The file is not an xlsx workbook or cannot be opened: a key of the catalogue's ``workbook`` section."""

    section = "workbook"


def read_sheets(path: Path) -> dict[str, RawSheet]:
    """Read every sheet of ``path`` (first row = headers; blank rows skipped). Never writes the file.

    Reading goes through calamine (``python-calamine``), which is many times faster than openpyxl. Numbers
    that are whole come back as ints (Excel stores every number as a float).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    if not path.is_file():
        raise UnreadableWorkbook("not_found")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            encrypted = fh.read(8) == OLE_MAGIC
        if encrypted:
            raise UnreadableWorkbook("encrypted")
        raise UnreadableWorkbook("not_zip")
    from smartcity_eval.inputs.limits import check_xlsx  # (limits raises this module's UnreadableWorkbook)

    formulas = check_xlsx(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        raw = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
    except (CalamineError, ValueError, OSError) as exc:
        raise UnreadableWorkbook("cannot_open", detail=f"{exc.__class__.__name__}: {exc}") from exc
    sheets: dict[str, RawSheet] = {}
    for name, rows in raw.items():
        sheet = RawSheet(name, formulas=formulas.get(name, {}))
        header_cells: list[tuple[str, int]] = []
        for r, row in enumerate(rows, start=1):
            if r == 1:
                for c, value in enumerate(row):
                    if value is not None and str(value).strip():
                        header = str(value).strip()
                        header_cells.append((header, c))
                        sheet.headers.setdefault(header, get_column_letter(c + 1))
                continue
            values = {header: _cell(row[c] if c < len(row) else None) for header, c in header_cells}
            if any(v is not None for v in values.values()):
                sheet.rows.append((r, values))
        sheets[name] = sheet
    return sheets


def _cell(value: Any) -> Any:
    """A cell as validation expects it: None for empty, stripped text, ints for whole numbers."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date | time):  # a date-formatted cell: shown as a date, not as datetime.date(...)
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- writing

INSTRUCTIONS_ID = [
    "Lembar Kerja Penilaian — Gerakan Menuju Smart City",
    "",
    "Satu berkas untuk satu daerah, satu tahun evaluasi, dan satu tahap.",
    "1. Profil: lengkapi nama daerah, kode wilayah Kemendagri (mis. 13.74), provinsi, kategori, kohort, "
    "tahun dan tahap. Jangan mengubah tahun, tahap dan kategori yang sudah terisi kecuali keliru.",
    "2. Asesor: isi kode (A1–A5), nama dan afiliasi setiap asesor panel (4–5 orang).",
    "3. Skor: setiap asesor mengisi kolom kodenya dengan bilangan bulat 0–4 untuk setiap pertanyaan. "
    "Sel kosong berarti belum dinilai. Jangan mengubah kolom ID dan pertanyaan.",
    "4. Survei_Dampak: bila dampak diukur dengan survei warga, isi rata-rata skor (0–4) dari 50 responden "
    "per pernyataan; nilai ini menggantikan rata-rata panel untuk butir tersebut.",
    "5. Program: satu baris per program Smart City (pilar, subdimensi, nama, OPD penanggung jawab, "
    "quick win Ya/Tidak, status Berjalan / Belum berjalan / Terhenti).",
    "6. Rencana_Aksi: satu baris per kegiatan rencana aksi dengan jumlah rencana dan jumlah terlaksana.",
    "7. Temuan: kekuatan, kelemahan dan rekomendasi, satu baris per butir, dengan kode asesor.",
    "8. Moderasi (bila ada): butir yang skor asesornya berselisih 2 poin atau lebih. Panel mengisi skor yang "
    "disepakati (bilangan bulat 0–4) dan alasannya; skor ini menggantikan rata-rata panel untuk butir tersebut, "
    "skor masing-masing asesor tetap tercatat. Lembar ini dibuat dengan: smartcity-eval moderate PANEL.xlsx -o "
    "SALINAN.xlsx",
    "",
    "Periksa berkas dengan: smartcity-eval validate NAMA_BERKAS.xlsx",
    "Nilai akhir dihitung otomatis: rata-rata panel per butir → rata-rata per dimensi → Nilai Final "
    "(jumlah berbobot, dibulatkan dua desimal).",
]


def instructions(assessor: str | None = None) -> list[str]:
    """The Petunjuk sheet's lines; an assessor's workbook says whose it is and how the panel's are merged."""
    if assessor is None:
        return INSTRUCTIONS_ID
    return [
        INSTRUCTIONS_ID[0],
        "",
        f"Lembar kerja asesor {assessor}: hanya kolom skor {assessor}. Setiap asesor menilai sendiri; lembar kerja "
        "para asesor digabung menjadi lembar kerja panel dengan: smartcity-eval merge A1.xlsx A2.xlsx ... -o "
        "PANEL.xlsx",
        *INSTRUCTIONS_ID[1:],
    ]


def _style_header(ws: Worksheet, headers: list[str], widths: Iterable[int]) -> None:
    for c, (name, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=c, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"


def _list_validation(ws: Worksheet, options: Iterable[str], ref: str, prompt: str) -> None:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Pilihan tidak valid",
        error=prompt,
    )
    dv.add(ref)
    ws.add_data_validation(dv)


def build_workbook(
    methodology: mth.Methodology,
    *,
    region: str = "",
    region_code: str = "",
    province: str = "",
    category: str,
    cohort: str = "",
    stage: int,
    assessment: Assessment | None = None,
    rows: int = 200,
    assessor: str | None = None,
    assessor_name: str = "",
    assessor_affiliation: str = "",
) -> Workbook:
    """A ready-to-fill workbook for one region x year x stage, optionally filled from ``assessment``.

    With ``assessor`` (``"A2"``) it is that assessor's own workbook: the panel holds only that assessor (named
    ``assessor_name`` unless ``assessment`` names them), the Skor sheet only that assessor's column, the Temuan
    sheet only that assessor's findings. Otherwise it is the panel's, with a column per code A1-A5 and, when
    ``assessment`` has moderated items, a Moderasi sheet.
    """
    profile = methodology.profile(category)  # KeyError when the category has no profile
    del profile
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_INSTRUCTIONS
    for r, line in enumerate(instructions(assessor), start=1):
        ws.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120

    codes = [assessor] if assessor else assessor_codes()
    values: dict[str, Any] = {
        "region": region,
        "region_code": region_code,
        "province": province,
        "category": category,
        "cohort": cohort,
        "year": methodology.year,
        "stage": stage,
    }
    if assessment is not None:
        p = assessment.profile
        values.update(region=p.region, region_code=p.region_code, province=p.province, cohort=p.cohort)

    ws = wb.create_sheet(SHEET_PROFILE)
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_PROFILE]], [28, 40])
    for r, (label, key) in enumerate(PROFILE_FIELDS, start=2):
        ws.cell(row=r, column=1, value=label).font = Font(bold=True)
        cell = ws.cell(row=r, column=2, value=values[key] if values[key] != "" else None)
        cell.fill = INPUT_FILL
        if key == "region_code":
            cell.number_format = "@"
    _list_validation(ws, mth.CATEGORIES, "B5", "Kategori: REGULER atau KPPN&IKN")
    _list_validation(ws, ["1", "2"], "B8", "Tahap: 1 atau 2")

    ws = wb.create_sheet(SHEET_ASSESSORS)
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_ASSESSORS]], [8, 36, 44])
    filled = assessment.assessors if assessment is not None else None
    if filled is None and assessor:
        filled = pd.DataFrame({"name": [assessor_name], "affiliation": [assessor_affiliation]}, index=[assessor])
    for r, code in enumerate(codes, start=2):
        ws.cell(row=r, column=1, value=code)
        if filled is not None and code in filled.index:
            ws.cell(row=r, column=2, value=filled.at[code, "name"])
            ws.cell(row=r, column=3, value=filled.at[code, "affiliation"])
        for c in (2, 3):
            ws.cell(row=r, column=c).fill = INPUT_FILL

    ws = wb.create_sheet(SHEET_SCORES)
    fixed = [h for h, _ in COLUMNS[SHEET_SCORES]]
    _style_header(ws, fixed + codes, [12, 12, 18, 30, 80] + [7] * len(codes))
    bank = methodology.question_bank(category)
    for r, (item_id, item) in enumerate(bank.iterrows(), start=2):
        for c, value in enumerate([item_id, item.dimension, item.element, item.indicator, item.question], start=1):
            ws.cell(row=r, column=c, value=value).alignment = Alignment(wrap_text=c == 5, vertical="top")
        for c, code in enumerate(codes, start=len(fixed) + 1):
            cell = ws.cell(row=r, column=c)
            cell.fill = INPUT_FILL
            if assessment is not None and code in assessment.scores.columns and item_id in assessment.scores.index:
                v = assessment.scores.at[item_id, code]
                if not pd.isna(v):
                    cell.value = int(v)
    last = len(bank) + 1
    score_ref = f"{get_column_letter(len(fixed) + 1)}2:{get_column_letter(len(fixed) + len(codes))}{last}"
    _score_validation(ws, score_ref, "Skor harus bilangan bulat 0–4 (kosongkan bila belum dinilai).")
    ws.freeze_panes = f"{get_column_letter(len(fixed) + 1)}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fixed) + len(codes))}{last}"

    ws = wb.create_sheet(SHEET_SURVEY)
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_SURVEY]], [14, 90, 12])
    survey_items = bank[(bank["dimension"] == "impact") & bank["sub_dimension"].notna()]
    for r, (item_id, item) in enumerate(survey_items.iterrows(), start=2):
        ws.cell(row=r, column=1, value=item_id)
        ws.cell(row=r, column=2, value=item.question).alignment = Alignment(wrap_text=True)
        cell = ws.cell(row=r, column=3)
        cell.fill = INPUT_FILL
        cell.number_format = "0.00"
        if assessment is not None and item_id in assessment.survey.index and not pd.isna(assessment.survey[item_id]):
            cell.value = float(assessment.survey[item_id])
    if len(survey_items):
        dv = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="4",
            allow_blank=True,
            showErrorMessage=True,
            error="Rata-rata survei harus antara 0 dan 4.",
        )
        dv.add(f"C2:C{len(survey_items) + 1}")
        ws.add_data_validation(dv)

    pillar_names = [p.name for p in methodology.pillars]
    ws = wb.create_sheet(SHEET_PROGRAMMES)
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_PROGRAMMES]], [20, 30, 50, 36, 11, 16])
    sub_names = {s.key: s.name_id for p in methodology.pillars for s in p.sub_dimensions}
    pillar_label = {p.key: p.name for p in methodology.pillars}
    n_prog = 0
    if assessment is not None:
        for r, prog in enumerate(assessment.programmes.itertuples(index=False), start=2):
            ws.cell(row=r, column=1, value=pillar_label.get(prog.pillar, prog.pillar))
            ws.cell(row=r, column=2, value=sub_names.get(prog.sub_dimension, prog.sub_dimension))
            ws.cell(row=r, column=3, value=prog.name)
            ws.cell(row=r, column=4, value=prog.agency)
            ws.cell(row=r, column=5, value="Ya" if prog.quick_win else "Tidak")
            ws.cell(row=r, column=6, value=STATUS_LABELS.get(prog.status, prog.status))
            n_prog = r
    end = max(rows, n_prog) + 1
    _list_validation(ws, pillar_names, f"A2:A{end}", "Pilih salah satu dari enam pilar.")
    _list_validation(ws, YES_NO, f"E2:E{end}", "Ya atau Tidak")
    _list_validation(ws, STATUS_LABELS.values(), f"F2:F{end}", "Berjalan, Belum berjalan atau Terhenti")

    ws = wb.create_sheet(SHEET_ACTION_PLAN)
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_ACTION_PLAN]], [40, 60, 11, 11])
    cat_names = [c.name_id for c in methodology.action_plan_categories]
    cat_label = {c.key: c.name_id for c in methodology.action_plan_categories}
    n_act = 0
    if assessment is not None:
        for r, act in enumerate(assessment.action_plan.itertuples(index=False), start=2):
            ws.cell(row=r, column=1, value=cat_label.get(act.category, act.category))
            ws.cell(row=r, column=2, value=act.activity)
            ws.cell(row=r, column=3, value=int(act.planned))
            ws.cell(row=r, column=4, value=int(act.done))
            n_act = r
    end = max(rows, n_act) + 1
    _list_validation(ws, cat_names, f"A2:A{end}", "Pilih kategori rencana aksi.")
    dv = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        error="Jumlah harus bilangan bulat ≥ 0.",
    )
    dv.add(f"C2:D{end}")
    ws.add_data_validation(dv)

    ws = wb.create_sheet(SHEET_FINDINGS)
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_FINDINGS]], [9, 15, 100])
    n_find = 0
    if assessment is not None:
        mine = assessment.findings[assessment.findings["assessor"].isin(codes)]
        for r, f in enumerate(mine.itertuples(index=False), start=2):
            ws.cell(row=r, column=1, value=f.assessor)
            ws.cell(row=r, column=2, value=KIND_LABELS.get(f.kind, f.kind))
            ws.cell(row=r, column=3, value=f.text).alignment = Alignment(wrap_text=True, vertical="top")
            n_find = r
    end = max(rows, n_find) + 1
    _list_validation(ws, codes, f"A2:A{end}", "Kode asesor A1–A5")
    _list_validation(ws, KIND_LABELS.values(), f"B2:B{end}", "Kekuatan, Kelemahan atau Rekomendasi")
    if assessment is not None and not assessor and len(assessment.moderation):
        _moderation_sheet(wb.create_sheet(SHEET_MODERATION), assessment, bank)
    for sheet in wb.worksheets:  # text from a workbook is never a formula (e.g. a programme named "=1+1")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.active = 1
    return wb


def scores_text(scores: pd.Series) -> str:
    """An item's scores by assessor as one cell: ``A1 1 · A2 3 · A3 -`` (``-``: not scored)."""
    return " · ".join(f"{code} {'-' if pd.isna(v) else int(v)}" for code, v in scores.items())


def _moderation_sheet(ws: Worksheet, assessment: Assessment, bank: pd.DataFrame) -> None:
    """The Moderasi sheet: each item of ``assessment.moderation`` with its dimension, question, the assessors'
    scores and their spread (to read), and the agreed score and reason (to fill in)."""
    _style_header(ws, [h for h, _ in COLUMNS[SHEET_MODERATION]], [12, 12, 60, 30, 9, 14, 60])
    for r, (item_id, row) in enumerate(assessment.moderation.iterrows(), start=2):
        scores = assessment.scores.loc[item_id] if item_id in assessment.scores.index else pd.Series(dtype="Int64")
        given = scores.dropna()
        item = bank.loc[item_id] if item_id in bank.index else None
        cells = [
            item_id,
            None if item is None else item.dimension,
            None if item is None else item.question,
            scores_text(scores),
            int(given.max() - given.min()) if len(given) else None,
            None if pd.isna(row["agreed"]) else int(row["agreed"]),
            None if pd.isna(row["reason"]) or not str(row["reason"]).strip() else str(row["reason"]),
        ]
        for c, value in enumerate(cells, start=1):
            ws.cell(row=r, column=c, value=value).alignment = Alignment(wrap_text=c in (3, 7), vertical="top")
        for c in (6, 7):
            ws.cell(row=r, column=c).fill = INPUT_FILL
    end = max(len(assessment.moderation), 1) + 1
    _score_validation(ws, f"F2:F{end}", "Skor yang disepakati harus bilangan bulat 0–4.")


class _StampedZip(zipfile.ZipFile):
    """A zip archive whose members all carry one fixed date (reproducible bytes)."""

    def __init__(self, file: str, stamp: datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = stamp.timetuple()[:6]

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._stamp)
            zinfo_or_arcname.compress_type = self.compression
            zinfo_or_arcname.external_attr = 0o600 << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None) -> None:
        with open(filename, "rb") as fh:  # openpyxl writes worksheets through temporary files
            self.writestr(arcname or str(filename), fh.read(), compress_type, compresslevel)


def _save_stamped(wb: Workbook, filename: str, stamp: datetime) -> None:
    """Like ``wb.save`` but with ``stamp`` as created/modified time (openpyxl's save stamps "now")."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = stamp
    ExcelWriter(wb, _StampedZip(filename, stamp)).save()


def save_atomic(wb: Workbook, path: Path, *, timestamp: datetime | None = None) -> Path:
    """Save ``wb`` to ``path`` through a temporary file in the same folder, then rename.

    With ``timestamp`` the file's created/modified properties and zip entries carry that time, so the
    same content gives the same bytes.
    """
    from smartcity_eval.common.tables import write_atomic

    if timestamp is None:
        return write_atomic(path, lambda tmp: wb.save(tmp))
    return write_atomic(path, lambda tmp: _save_stamped(wb, tmp, timestamp))


def write_template(
    path: Path,
    *,
    year: int,
    stage: int,
    category: str,
    region: str = "",
    region_code: str = "",
    province: str = "",
    cohort: str = "",
    assessor: str | None = None,
    assessor_name: str = "",
    assessor_affiliation: str = "",
) -> Path:
    """Write a ready-to-fill workbook with the year's question bank: the panel's, or with ``assessor`` that
    assessor's own (:func:`build_workbook`)."""
    wb = build_workbook(
        mth.get(year),
        region=region,
        region_code=region_code,
        province=province,
        category=category,
        cohort=cohort,
        stage=stage,
        assessor=assessor,
        assessor_name=assessor_name,
        assessor_affiliation=assessor_affiliation,
    )
    return save_atomic(wb, path)


def write_assessment(
    assessment: Assessment, path: Path, *, timestamp: datetime | None = None, assessor: str | None = None
) -> Path:
    """Write a filled workbook: the panel's, or with ``assessor`` that assessor's own (used by the sample-data
    script, by ``merge`` and ``moderate``, and by tests).

    ``timestamp`` fixes the file's created/modified time (reproducible bytes).
    """
    p = assessment.profile
    wb = build_workbook(mth.get(p.year), category=p.category, stage=p.stage, assessment=assessment, assessor=assessor)
    return save_atomic(wb, path, timestamp=timestamp)


def _score_validation(ws: Worksheet, cells: str, error: str) -> None:
    """Excel's own check on ``cells``: a whole number 0–4 or blank, ``error`` shown otherwise."""
    dv = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="4",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Skor tidak valid",
        error=error,
    )
    dv.add(cells)
    ws.add_data_validation(dv)
