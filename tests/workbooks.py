"""Workbooks for tests: a template filled by a panel of four assessors, and in-place edits (not a test module)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from smartcity_eval.inputs.workbook import write_template

PANEL = [
    ("A1", "Dr. Rina Kartika", "Universitas Andalas"),
    ("A2", "Ir. Budi Santoso, M.T.", "Praktisi TIK"),
    ("A3", "Dr. Sari Wulandari", "Institut Teknologi Bandung"),
    ("A4", "Agus Pratama, M.Kom.", "Praktisi"),
]


def make_filled(
    path: Path,
    *,
    year: int = 2023,
    stage: int = 2,
    category: str = "REGULER",
    scores: tuple[int, ...] = (3, 2, 3, 4),
    region: str = "Kota Padang Panjang",
    region_code: str = "13.74",
    province: str = "Sumatera Barat",
) -> Path:
    """A template filled by four assessors: every item gets ``scores`` (one per assessor)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_template(
        path, year=year, stage=stage, category=category, region=region, region_code=region_code, province=province
    )
    wb = load_workbook(path)
    ws = wb["Asesor"]
    for r, (code, name, aff) in enumerate(PANEL, start=2):
        ws.cell(r, 1, code), ws.cell(r, 2, name), ws.cell(r, 3, aff)
    ws = wb["Skor"]
    for r in range(2, ws.max_row + 1):
        for c, value in enumerate(scores, start=6):
            ws.cell(r, c, value)
    ws = wb["Program"]
    for r, (pillar, status) in enumerate(
        [("Smart Governance", "Berjalan"), ("Smart Living", "Belum berjalan"), ("Smart Living", "Berjalan")], start=2
    ):
        ws.cell(r, 1, pillar), ws.cell(r, 3, f"Program {r}"), ws.cell(r, 5, "Tidak"), ws.cell(r, 6, status)
    ws = wb["Rencana_Aksi"]
    ws.append(["Pengembangan kebijakan dan kelembagaan", "Perwako Smart City", 14, 13])
    ws.append(["Pembangunan infrastruktur pendukung", "Command Centre", 12, 11])
    ws = wb["Temuan"]
    ws.append(["A1", "Kekuatan", "Komitmen kepala daerah kuat."])
    ws.append(["A2", "Rekomendasi", "Perkuat pendanaan non-APBD."])
    wb.save(path)
    return path


def edit(path: Path, fn) -> Path:
    wb = load_workbook(path)
    fn(wb)
    wb.save(path)
    return path
