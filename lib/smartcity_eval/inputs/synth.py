"""Synthetic cohorts for load: valid, realistic assessment workbooks for real regions of the register.

``synthesize(50, 2024, 2, seed=7, out=DIR)`` samples 50 kabupaten/kota from the Kemendagri register (about a
quarter ``KPPN&IKN``), and writes ``DIR/2024/tahap-2/<slug>.xlsx`` for each, plus last year's Tahap II
(``DIR/2023/tahap-2/<slug>.xlsx``) when that year has a methodology. Everything is drawn from the seed: the same
seed gives the same files, byte for byte.

The model: each region has an ability ~ N(2.5, 0.6) (clipped to 0.4-3.7) that grows by about 0.2 a year; each
dimension and item adds an offset, each assessor a bias (severity) and noise; scores are rounded and clipped to
the integers 0-4, and about one cell in a hundred is left unscored. Panels have 4-5 fictional assessors; regions
run 10-130 programmes whose status depends on the ability, report action-plan activities in the five
categories, and get findings (kekuatan / kelemahan / rekomendasi) per assessor in Indonesian. About 60% of the
regions report a citizen survey, which gives the impact statements their averages.

Writing reuses one template per (year, category, stage) built by :func:`~smartcity_eval.inputs.workbook.build_workbook`
and only fills and clears values, which is several times faster than building each file; the layout is the
same as :func:`~smartcity_eval.inputs.workbook.write_assessment` (a test checks they give the same bytes). Large cohorts
are written by a few processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES
from smartcity_eval.inputs import register
from smartcity_eval.inputs.workbook import (
    KIND_LABELS,
    SHEET_ACTION_PLAN,
    SHEET_ASSESSORS,
    SHEET_FINDINGS,
    SHEET_PROFILE,
    SHEET_PROGRAMMES,
    SHEET_SCORES,
    SHEET_SURVEY,
    STATUS_LABELS,
    assessor_codes,
    build_workbook,
    save_atomic,
    write_assessment,
)
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment, Profile, slugify

KPPN_SHARE = 0.25
SURVEY_SHARE = 0.6
UNSCORED_CELL = 0.01
TEMPLATE_ROWS = 200  # rows of list validation in build_workbook; longer sheets fall back to write_assessment
PARALLEL_FROM = 60  # files; below this one process is faster than starting workers
T = i18n.section("synth")

# --------------------------------------------------------------------------- vocabulary (fictional people)

FIRST_NAMES = (
    "Rina",
    "Budi",
    "Sari",
    "Agus",
    "Dewi",
    "Hendra",
    "Lestari",
    "Yudi",
    "Maya",
    "Rudi",
    "Fitri",
    "Arief",
    "Nurul",
    "Bayu",
    "Indah",
    "Eko",
    "Wulan",
    "Dimas",
    "Ratna",
    "Fajar",
    "Putri",
    "Gilang",
    "Anisa",
    "Reza",
    "Intan",
    "Teguh",
    "Siti",
    "Hadi",
    "Ayu",
    "Irfan",
)
LAST_NAMES = (
    "Kartika",
    "Santoso",
    "Wulandari",
    "Pratama",
    "Hidayat",
    "Saputra",
    "Lubis",
    "Nasution",
    "Siregar",
    "Rahmawati",
    "Setiawan",
    "Kusuma",
    "Harahap",
    "Permana",
    "Utami",
    "Gunawan",
    "Sitompul",
    "Wibowo",
    "Maharani",
    "Ramadhan",
    "Tanjung",
    "Purnomo",
    "Simanjuntak",
    "Halim",
    "Syahputra",
)
TITLES_BEFORE = ("Dr. ", "Dr. ", "Ir. ", "Prof. Dr. ", "", "", "")
TITLES_AFTER = (", M.T.", ", M.Kom.", ", M.Si.", ", Ph.D.", ", M.M.", ", M.P.A.", "")
AFFILIATIONS = (
    "Universitas Cakrawala Nusantara",
    "Institut Teknologi Samudra Raya",
    "Universitas Bumi Khatulistiwa",
    "Politeknik Digital Pertiwi",
    "Universitas Lintas Selatan",
    "Sekolah Tinggi Informatika Garuda Biru",
    "Institut Tata Kota Mandala",
    "Praktisi TIK",
    "Praktisi tata kelola pemerintahan",
    "Praktisi kota cerdas",
    "Lembaga Kajian Kota Lestari",
)

PROGRAMMES = {
    "governance": (
        "Mal Pelayanan Publik Digital",
        "Aplikasi Perizinan Terpadu",
        "Satu Data Daerah",
        "e-Planning dan e-Budgeting",
        "Layanan Pengaduan Terpadu",
        "Tanda Tangan Elektronik",
        "Dashboard Kinerja Perangkat Daerah",
        "Sistem Informasi Kepegawaian",
        "Portal Transparansi Anggaran",
        "Layanan Adminduk Daring",
    ),
    "branding": (
        "Kalender Event Pariwisata",
        "Aplikasi Informasi Destinasi Wisata",
        "Festival Budaya Daerah",
        "Katalog UMKM Daring",
        "Penataan Taman Tematik",
        "Logo dan Slogan Kota",
        "Tur Virtual Destinasi",
        "Pusat Promosi Investasi Daerah",
        "Penataan Wajah Kawasan Pusat Kota",
    ),
    "economy": (
        "Pasar Rakyat Digital",
        "Retribusi Non-Tunai",
        "Inkubator Bisnis Digital",
        "UMKM Go Digital",
        "Elektronifikasi Transaksi Pemda",
        "Informasi Harga Pangan",
        "Koperasi Digital",
        "Bantuan Sosial Tepat Sasaran",
        "Pelatihan Kewirausahaan Pemuda",
    ),
    "living": (
        "Layanan Kesehatan Terpadu Berbasis Aplikasi",
        "Sistem Rujukan Terintegrasi",
        "Transportasi Umum Terintegrasi",
        "Penerangan Jalan Cerdas",
        "Sistem Informasi Tata Ruang",
        "Pemantauan Stunting Terpadu",
        "Lampu Lalu Lintas Adaptif",
        "Wi-Fi Publik Ruang Terbuka",
        "Air Minum Aman untuk Permukiman",
    ),
    "society": (
        "Sekolah Digital",
        "Perpustakaan Digital",
        "Command Center Kebencanaan",
        "Layanan Darurat 112",
        "Forum Komunitas Kreatif",
        "Beasiswa Daerah Daring",
        "Literasi Digital Masyarakat",
        "Peringatan Dini Bencana",
        "Ronda Siskamling Berbasis Aplikasi",
    ),
    "environment": (
        "Bank Sampah Digital",
        "Pemantauan Kualitas Udara",
        "Pengelolaan Sampah Terpadu",
        "Panel Surya Gedung Pemerintah",
        "Informasi Ruang Terbuka Hijau",
        "Instalasi Air Limbah Komunal",
        "Pemantauan Sungai Berbasis Sensor",
        "Gerakan Hemat Energi",
        "Pengomposan Sampah Pasar",
    ),
}
AGENCIES = {
    "governance": (
        "Dinas Komunikasi dan Informatika",
        "Bagian Organisasi Sekretariat Daerah",
        "Badan Kepegawaian dan Pengembangan SDM",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Badan Perencanaan Pembangunan Daerah",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
    ),
    "branding": (
        "Dinas Pariwisata dan Kebudayaan",
        "Dinas Penanaman Modal dan PTSP",
        "Dinas Perumahan dan Kawasan Permukiman",
        "Dinas Komunikasi dan Informatika",
    ),
    "economy": (
        "Dinas Koperasi dan UMKM",
        "Dinas Perdagangan",
        "Badan Pendapatan Daerah",
        "Dinas Sosial",
        "Dinas Ketahanan Pangan",
    ),
    "living": (
        "Dinas Kesehatan",
        "Dinas Perhubungan",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "RSUD",
        "Perumda Air Minum",
    ),
    "society": (
        "Dinas Pendidikan",
        "Badan Penanggulangan Bencana Daerah",
        "Satuan Polisi Pamong Praja",
        "Dinas Perpustakaan dan Kearsipan",
        "Dinas Pemuda dan Olahraga",
    ),
    "environment": (
        "Dinas Lingkungan Hidup",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Dinas Perumahan dan Kawasan Permukiman",
    ),
}
ACTIVITIES = {
    "kebijakan_kelembagaan": (
        "Penyusunan Perkada Masterplan Smart City",
        "Rapat Dewan Smart City",
        "Rapat koordinasi Tim Pelaksana",
        "Penyusunan SOP tata kelola data",
        "Pembentukan Forum Smart City",
        "Reviu Masterplan Smart City",
        "Penyusunan regulasi SPBE",
    ),
    "sdm": (
        "Bimbingan teknis pengelola aplikasi",
        "Sertifikasi keamanan informasi ASN",
        "Pelatihan analisis data",
        "Pelatihan manajemen proyek TIK",
        "Studi tiru daerah smart city",
        "Pelatihan desain layanan digital",
    ),
    "infrastruktur": (
        "Perluasan jaringan fiber optik",
        "Pengadaan server pusat data",
        "Pemasangan CCTV kota",
        "Pembangunan ruang command center",
        "Wi-Fi publik di taman kota",
        "Peremajaan perangkat jaringan OPD",
    ),
    "aplikasi": (
        "Integrasi aplikasi layanan publik",
        "Pengembangan super app daerah",
        "Pengembangan dashboard eksekutif",
        "Interoperabilitas data kependudukan",
        "Aplikasi pengaduan masyarakat",
        "Migrasi aplikasi ke pusat data nasional",
    ),
    "literasi": (
        "Sosialisasi smart city ke kecamatan",
        "Kampanye literasi digital di sekolah",
        "Publikasi program di media sosial",
        "Lomba inovasi warga",
        "Gelar wicara smart city di radio",
    ),
}
FINDINGS = {
    "kekuatan": (
        "Komitmen kepala daerah terhadap smart city kuat dan tercermin dalam dokumen perencanaan.",
        "Capaian dimensi {best} paling menonjol dibanding dimensi lain.",
        "Dewan Smart City dan Tim Pelaksana aktif berkoordinasi sepanjang tahun.",
        "Program pilar {pillar_best} berjalan baik dan manfaatnya dirasakan warga.",
        "Quick win yang dipilih relevan dengan persoalan utama daerah.",
        "Kolaborasi dengan perguruan tinggi dan komunitas lokal berjalan baik.",
    ),
    "kelemahan": (
        "Capaian dimensi {worst} masih rendah dan data dukungnya belum memadai.",
        "Sebagian program pilar {pillar_worst} belum berjalan atau terhenti.",
        "Pendanaan masih bergantung pada APBD; skema pembiayaan non-APBD belum ada.",
        "Integrasi data antarperangkat daerah belum berjalan.",
        "Manajemen risiko quick win belum terdokumentasi.",
        "Realisasi rencana aksi literasi smart city masih rendah.",
    ),
    "rekomendasi": (
        "Perkuat dimensi {worst} dengan target dan indikator yang terukur.",
        "Susun skema pembiayaan non-APBD (KPBU, CSR) untuk program prioritas.",
        "Tetapkan Satu Data Daerah sebagai dasar integrasi layanan.",
        "Lanjutkan program pilar {pillar_worst} yang terhenti dengan penanggung jawab yang jelas.",
        "Dokumentasikan manajemen risiko dan strategi keberlanjutan quick win.",
        "Libatkan komunitas dan perguruan tinggi dalam evaluasi program.",
    ),
}


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class RegionTask:
    """One region of a cohort and the run's parameters: what a worker needs to write its workbooks."""

    code: str
    name: str
    province: str
    category: str
    cohort: str
    year: int
    stage: int
    seed: int
    out: str
    previous: bool


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([int(k) for k in keys])


def _pick(rng: np.random.Generator, pool: Sequence[str]) -> str:
    """One element of ``pool`` (faster than ``rng.choice`` on a tuple of strings)."""
    return pool[int(rng.integers(len(pool)))]


@cache
def _bank(year: int, category: str) -> pd.DataFrame:
    return mth.get(year).question_bank(category)


def _code_int(code: str) -> int:
    return int(code.replace(".", ""))


def _timestamp(year: int, stage: int) -> datetime:
    """The fixed created/modified time of a synthetic workbook: mid-June (Tahap I) or mid-November (Tahap II)."""
    return datetime(year, 11 if stage == 2 else 6, 15, 9, 0, 0)


def _panel(rng: np.random.Generator) -> pd.DataFrame:
    size = int(rng.choice((4, 5)))
    names: list[str] = []
    while len(names) < size:
        name = (
            f"{_pick(rng, TITLES_BEFORE)}{_pick(rng, FIRST_NAMES)} {_pick(rng, LAST_NAMES)}{_pick(rng, TITLES_AFTER)}"
        )
        if name not in names:
            names.append(name)
    affiliations = [AFFILIATIONS[i] for i in rng.permutation(len(AFFILIATIONS))[:size]]
    return pd.DataFrame({"name": names, "affiliation": affiliations}, index=pd.Index(assessor_codes(size), name="code"))


def make_assessment(task: RegionTask, year: int, stage: int) -> Assessment:
    """The synthetic assessment of ``task``'s region for ``year`` / ``stage`` (deterministic in the seed)."""
    m = mth.get(year)
    base = _rng(task.seed, _code_int(task.code))
    ability0 = float(np.clip(base.normal(2.5, 0.6), 0.4, 3.7))
    growth = float(base.normal(0.2, 0.2))
    pillar_offset = dict(zip(mth.PILLAR_KEYS, base.normal(0, 0.3, len(mth.PILLAR_KEYS)), strict=True))
    has_survey = base.random() < SURVEY_SHARE
    ability = float(np.clip(ability0 - growth * (task.year - year), 0.3, 3.8))

    rng = _rng(task.seed, _code_int(task.code), year, stage)
    bank = _bank(year, task.category)
    dims = [d.key for d in m.dimensions_for(task.category)]
    dim_offset = dict(zip(dims, rng.normal(0, 0.35, len(dims)), strict=True))
    panel = _panel(rng)
    k = len(panel)
    latent = ability + bank["dimension"].map(dim_offset).to_numpy(float) + rng.normal(0, 0.3, len(bank))
    raw = latent[:, None] + rng.normal(0, 0.2, k)[None, :] + rng.normal(0, 0.45, (len(bank), k))
    values = np.clip(np.rint(raw), 0, 4).astype("int64")
    missing = rng.random(values.shape) < UNSCORED_CELL
    for dim in dims:  # never leave a whole dimension unscored
        rows = np.flatnonzero(bank["dimension"].to_numpy() == dim)
        if missing[rows].all():
            missing[rows[0], 0] = False
    scores = pd.DataFrame(values, index=bank.index, columns=panel.index).astype("Int64").mask(missing)
    scores.columns.name = None

    survey_items = bank.index[(bank["dimension"] == "impact") & bank["sub_dimension"].notna()]
    survey = pd.Series(dtype="float64", name="survey")
    if has_survey and len(survey_items):
        avg = np.clip(latent[bank.index.get_indexer(survey_items)] + rng.normal(0, 0.25, len(survey_items)), 0, 4)
        survey = pd.Series(np.round(avg, 2), index=survey_items, dtype="float64", name="survey")

    programmes = _programmes(rng, m, ability, pillar_offset)
    action_plan = _action_plan(rng, m, ability)
    dim_short = {d.key: d.short_id for d in m.dimensions}
    pillar_name = {p.key: p.name for p in m.pillars}
    words = {
        "best": dim_short[max(dim_offset, key=dim_offset.get)],
        "worst": dim_short[min(dim_offset, key=dim_offset.get)],
        "pillar_best": pillar_name[max(pillar_offset, key=pillar_offset.get)],
        "pillar_worst": pillar_name[min(pillar_offset, key=pillar_offset.get)],
    }
    findings = _findings(rng, panel, words)
    profile = Profile(task.name, task.code, task.province, task.category, task.cohort, year, stage)
    return Assessment(profile, panel, scores, survey, programmes, action_plan, findings)


def _programmes(
    rng: np.random.Generator, m: mth.Methodology, ability: float, pillar_offset: dict[str, float]
) -> pd.DataFrame:
    n = int(rng.integers(10, 131))
    pillars = list(m.pillars)
    rows = []
    used: dict[str, int] = {}
    for i in rng.integers(0, len(pillars), n):
        pillar = pillars[int(i)]
        base = _pick(rng, PROGRAMMES[pillar.key])
        used[base] = used.get(base, 0) + 1
        name = base if used[base] == 1 else f"{base} Tahap {used[base]}"
        p_run = float(np.clip(0.35 + 0.15 * ability + 0.2 * pillar_offset[pillar.key], 0.15, 0.97))
        u = rng.random()
        status = "berjalan" if u < p_run else "belum_berjalan" if u < p_run + (1 - p_run) * 0.7 else "terhenti"
        rows.append(
            {
                "pillar": pillar.key,
                "sub_dimension": pillar.sub_dimensions[int(rng.integers(0, 3))].key,
                "name": name,
                "agency": _pick(rng, AGENCIES[pillar.key]),
                "quick_win": bool(rng.random() < 0.15),
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def _action_plan(rng: np.random.Generator, m: mth.Methodology, ability: float) -> pd.DataFrame:
    rate = float(np.clip(0.55 + 0.1 * ability, 0.3, 0.99))
    rows = []
    for cat in m.action_plan_categories:
        pool = ACTIVITIES.get(cat.key, (cat.name_id,))
        for i in rng.permutation(len(pool))[: int(rng.integers(2, min(5, len(pool)) + 1))]:
            activity = pool[i]
            planned = int(rng.integers(1, 13))
            done = int(rng.binomial(planned, float(np.clip(rate + rng.normal(0, 0.1), 0, 1))))
            rows.append({"category": cat.key, "activity": activity, "planned": planned, "done": done})
    return pd.DataFrame(rows).astype({"planned": "int64", "done": "int64"})


def _findings(rng: np.random.Generator, panel: pd.DataFrame, words: dict[str, str]) -> pd.DataFrame:
    rows = []
    for code in panel.index:
        for kind, pool in FINDINGS.items():
            for i in rng.permutation(len(pool))[: int(rng.integers(1, 3))]:
                rows.append({"assessor": code, "kind": kind, "text": pool[i].format(**words)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- writing


class TemplateWriter:
    """Writes filled workbooks by refilling one built template per (year, category, stage).

    The cells written are those :func:`~smartcity_eval.inputs.workbook.build_workbook` writes for an assessment; after
    saving, the filled values are cleared so the next file starts from the empty template again.
    """

    def __init__(self) -> None:
        self._templates: dict[tuple[int, str, int], tuple[Workbook, dict[str, int], dict[str, int]]] = {}

    def _template(self, year: int, category: str, stage: int) -> tuple[Workbook, dict[str, int], dict[str, int]]:
        key = (year, category, stage)
        if key not in self._templates:
            wb = build_workbook(mth.get(year), category=category, stage=stage)
            score_rows = {ws_row[0].value: ws_row[0].row for ws_row in wb[SHEET_SCORES].iter_rows(min_row=2)}
            survey_rows = {ws_row[0].value: ws_row[0].row for ws_row in wb[SHEET_SURVEY].iter_rows(min_row=2)}
            self._templates[key] = (wb, score_rows, survey_rows)
        return self._templates[key]

    def write(self, a: Assessment, path: Path, *, timestamp: datetime | None = None) -> Path:
        """Write ``a`` to ``path`` (same layout and values as ``write_assessment``)."""
        p = a.profile
        if max(len(a.programmes), len(a.action_plan), len(a.findings)) > TEMPLATE_ROWS:
            return write_assessment(a, path, timestamp=timestamp)
        wb, score_rows, survey_rows = self._template(p.year, p.category, p.stage)
        try:
            self._fill(wb, a, score_rows, survey_rows)
            for ws in wb.worksheets:  # openpyxl keeps this from the previous save; a fresh build has None
                ws.column_dimensions.max_outline = None
            return save_atomic(wb, path, timestamp=timestamp)
        finally:
            self._clear(wb, score_rows, survey_rows)

    @staticmethod
    def _fill(wb: Workbook, a: Assessment, score_rows: dict[str, int], survey_rows: dict[str, int]) -> None:
        m = mth.get(a.profile.year)
        ws = wb[SHEET_PROFILE]
        p = a.profile
        for row, value in ((2, p.region), (3, p.region_code), (4, p.province), (6, p.cohort)):
            ws.cell(row=row, column=2).value = value if value != "" else None
        ws = wb[SHEET_ASSESSORS]
        for r, code in enumerate(assessor_codes(), start=2):
            if code in a.assessors.index:
                ws.cell(row=r, column=2).value = a.assessors.at[code, "name"]
                ws.cell(row=r, column=3).value = a.assessors.at[code, "affiliation"]
        ws = wb[SHEET_SCORES]
        columns = {code: c for c, code in enumerate(assessor_codes(), start=6)}
        for code in a.scores.columns:
            if code not in columns:
                continue
            for item_id, v in a.scores[code].items():
                if item_id in score_rows and not pd.isna(v):
                    ws.cell(row=score_rows[item_id], column=columns[code]).value = int(v)
        ws = wb[SHEET_SURVEY]
        for item_id, v in a.survey.items():
            if item_id in survey_rows and not pd.isna(v):
                ws.cell(row=survey_rows[item_id], column=3).value = float(v)
        sub_names = {s.key: s.name_id for pl in m.pillars for s in pl.sub_dimensions}
        pillar_label = {pl.key: pl.name for pl in m.pillars}
        ws = wb[SHEET_PROGRAMMES]
        for r, prog in enumerate(a.programmes.itertuples(index=False), start=2):
            for c, value in enumerate(
                (
                    pillar_label.get(prog.pillar, prog.pillar),
                    sub_names.get(prog.sub_dimension, prog.sub_dimension),
                    prog.name,
                    prog.agency,
                    "Ya" if prog.quick_win else "Tidak",
                    STATUS_LABELS.get(prog.status, prog.status),
                ),
                start=1,
            ):
                ws.cell(row=r, column=c, value=value)
        cat_label = {c.key: c.name_id for c in m.action_plan_categories}
        ws = wb[SHEET_ACTION_PLAN]
        for r, act in enumerate(a.action_plan.itertuples(index=False), start=2):
            for c, value in enumerate(
                (cat_label.get(act.category, act.category), act.activity, int(act.planned), int(act.done)), start=1
            ):
                ws.cell(row=r, column=c, value=value)
        ws = wb[SHEET_FINDINGS]
        for r, f in enumerate(a.findings.itertuples(index=False), start=2):
            ws.cell(row=r, column=1, value=f.assessor)
            ws.cell(row=r, column=2, value=KIND_LABELS.get(f.kind, f.kind))
            ws.cell(row=r, column=3, value=f.text).alignment = Alignment(wrap_text=True, vertical="top")

    @staticmethod
    def _clear(wb: Workbook, score_rows: dict[str, int], survey_rows: dict[str, int]) -> None:
        ws = wb[SHEET_PROFILE]
        for row in (2, 3, 4, 6):
            ws.cell(row=row, column=2).value = None
        ws = wb[SHEET_ASSESSORS]
        for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
            for cell in row:
                cell.value = None
        for row in wb[SHEET_SCORES].iter_rows(min_row=2, max_row=max(score_rows.values(), default=1), min_col=6):
            for cell in row:
                cell.value = None
        for row in wb[SHEET_SURVEY].iter_rows(
            min_row=2, max_row=max(survey_rows.values(), default=1), min_col=3, max_col=3
        ):
            for cell in row:
                cell.value = None
        for name in (SHEET_PROGRAMMES, SHEET_ACTION_PLAN, SHEET_FINDINGS):
            ws = wb[name]
            if ws.max_row > 1:
                ws.delete_rows(2, ws.max_row - 1)


_WRITER: TemplateWriter | None = None


def _write_task(task: RegionTask) -> list[Path]:
    """Write one region's workbooks (this year's, and last year's Tahap II when asked and possible)."""
    global _WRITER
    if _WRITER is None:
        _WRITER = TemplateWriter()
    out = Path(task.out)
    slug = slugify(task.name)
    jobs = [(task.year, task.stage)]
    if task.previous and task.year - 1 in mth.years():
        jobs.append((task.year - 1, 2))
    paths = []
    for year, stage in jobs:
        a = make_assessment(task, year, stage)
        path = out / str(year) / f"tahap-{stage}" / f"{slug}.xlsx"
        paths.append(_WRITER.write(a, path, timestamp=_timestamp(year, stage)))
    return paths


class SynthError(i18n.LocalizedError, ValueError):
    """A cohort that cannot be synthesised (too many regions, a year without methodology, a wrong stage)."""

    section = "synth"


def sample_regions(n: int, seed: int) -> pd.DataFrame:
    """``n`` regions of the register drawn with ``seed``, with a ``category`` (about 25% KPPN&IKN, at least one
    of each when ``n`` >= 2) and a ``cohort``."""
    table = register.regions()
    if not 1 <= n <= len(table):
        raise SynthError("regions_range", most=len(table), n=n)
    rng = _rng(seed, 0)
    picked = table.iloc[rng.choice(len(table), size=n, replace=False)].reset_index(drop=True)
    n_kppn = 0 if n == 1 else min(n - 1, max(1, round(n * KPPN_SHARE)))
    kppn = np.zeros(n, dtype=bool)
    kppn[rng.choice(n, size=n_kppn, replace=False)] = True
    picked["category"] = np.where(kppn, "KPPN&IKN", "REGULER")
    picked["cohort"] = np.where(kppn, "2021", rng.choice(["2017", "2018", "2019"], size=n))
    return picked


def synthesize(
    n: int, year: int, stage: int, seed: int, out: Path, previous: bool = True, *, workers: int | None = None
) -> list[Path]:
    """Write ``n`` synthetic workbooks for real regions into ``out/<year>/tahap-<stage>/<slug>.xlsx``.

    With ``previous``, also ``out/<year-1>/tahap-2/<slug>.xlsx`` when ``year - 1`` has a methodology. Returns the
    paths written: this year's in sample order, then last year's. ``workers`` processes write (default: one for
    small cohorts, up to two otherwise); the files do not depend on it.
    """
    if year not in mth.years():
        raise SynthError("no_methodology", year=year, years=", ".join(map(str, mth.years())))
    if stage not in (1, 2):
        raise SynthError("bad_stage", stage=stage)
    picked = sample_regions(n, seed)
    tasks = [
        RegionTask(r.code, r.name, r.province, r.category, r.cohort, year, stage, seed, str(out), previous)
        for r in picked.itertuples(index=False)
    ]
    files = n * (2 if previous and year - 1 in mth.years() else 1)
    if workers is None:
        workers = 1 if files < PARALLEL_FROM else min(2, os.cpu_count() or 1)
    if workers <= 1:
        results = [_write_task(t) for t in tasks]
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_write_task, tasks, chunksize=max(1, len(tasks) // (workers * 4))))
    return [r[0] for r in results] + [p for r in results for p in r[1:]]


# --------------------------------------------------------------------------- command line


def cmd_synth(args: argparse.Namespace) -> int:
    """``smartcity-eval synth``: write a synthetic cohort and say how long it took."""
    start = time.perf_counter()
    try:
        paths = synthesize(
            args.regions, args.year, args.stage, args.seed, args.out, not args.no_previous, workers=args.workers
        )
    except SynthError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    print(T(args.lang, "written", n=len(paths), path=args.out, seconds=seconds))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``smartcity-eval synth --regions N --year Y --stage S --seed K --out DIR``."""
    p = subparsers.add_parser("synth", help="write a synthetic cohort of valid workbooks for load tests")
    p.add_argument("--regions", type=int, required=True, help="how many kabupaten/kota (1-514)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--stage", type=int, choices=(1, 2), default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help="folder; files go to OUT/<year>/tahap-<stage>/")
    p.add_argument("--no-previous", action="store_true", help="do not write last year's Tahap II")
    p.add_argument("--workers", type=int, default=None, help="processes (default: 1 for small cohorts, else 2)")
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of messages (default: id)")
    p.set_defaults(func=cmd_synth)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``synth`` on its own (``python -m smartcity_eval.inputs.synth --regions 50 --year 2024 --out DIR``)."""
    parser = argparse.ArgumentParser(prog="smartcity-eval")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["synth", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
