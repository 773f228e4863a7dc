"""The demo's region reports as PDFs, read page by page as their recipients read them (rendered once, slow)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT
from smartcity_eval.cli import main

pytestmark = pytest.mark.slow

RUNS = {  # run file -> regions rendered
    "params/2024-tahap-2.yaml": ["kota-padang-panjang", "kota-pariaman", "kab-pelalawan"],
    "params/2023-tahap-2.yaml": ["kab-malang"],
    "params/2024-tahap-1.yaml": ["kota-padang-panjang"],  # a run file without an issuer: drafts
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    cwd = Path.cwd()
    os.chdir(ROOT)  # run files name their data and issuer relative to the repository
    try:
        for run_file, regions in RUNS.items():
            args = ["run", run_file, "--output", str(out), "--no-progress", "--formats", "html,pdf"]
            assert main(args + [a for r in regions for a in ("--region", r)]) == 0
    finally:
        os.chdir(cwd)
    return out


def pages(outputs: Path, year: int, stage: int, region: str) -> list[str]:
    return [p.extract_text() for p in PdfReader(outputs / str(year) / f"tahap-{stage}" / region / "report.pdf").pages]


def every_pdf(outputs: Path) -> list[Path]:
    return sorted(outputs.rglob("report.pdf"))


def test_padang_panjang_2024_fits_in_twenty_pages(outputs):
    assert len(pages(outputs, 2024, 2, "kota-padang-panjang")) <= 20


def test_cover_carries_the_formal_title_and_the_issuer(outputs):
    cover = pages(outputs, 2024, 2, "kota-padang-panjang")[0]
    assert "Kementerian Komunikasi dan Digital Republik Indonesia" in cover


def test_cover_carries_the_letter_number(outputs):
    assert "B-13.74/GMSC/EV.01.04/XII/2024" in pages(outputs, 2024, 2, "kota-padang-panjang")[0]


def test_second_page_is_the_executive_summary(outputs):
    assert "Ringkasan Eksekutif" in pages(outputs, 2024, 2, "kota-padang-panjang")[1]


def test_last_page_is_the_approval_page(outputs):
    assert "Lembar Pengesahan" in pages(outputs, 2024, 2, "kota-padang-panjang")[-1]


def test_a_report_without_an_issuer_says_draf_on_the_cover(outputs):
    assert "DRAF" in pages(outputs, 2024, 1, "kota-padang-panjang")[0]


def test_a_report_without_an_issuer_says_draf_on_every_page(outputs):
    reader = PdfReader(outputs / "2024" / "tahap-1" / "kota-padang-panjang" / "report.pdf")
    headers = [p.extract_text(extraction_mode="layout").lstrip()[:6] for p in reader.pages]  # with the running header
    assert set(headers) == {"DRAF ·"}


def test_no_pdf_holds_an_absolute_path_or_a_hash(outputs):
    found = {p.name: re.findall(r"/(?:root|home|tmp|work)/\S+|\b[0-9a-f]{64}\b", t) for p in every_pdf(outputs)
             for t in [" ".join(x.extract_text() for x in PdfReader(p).pages)]}  # fmt: skip
    assert all(not v for v in found.values())


def test_caveats_only_in_the_technical_appendix(outputs):
    for pdf in every_pdf(outputs):
        text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
        body = text[: text.index("Lampiran D")]
        assert "ASUMSI" not in body and "bukan angka resmi" not in body, pdf


def test_no_english_parameter_key_in_an_indonesian_report(outputs):
    keys = ("data_dir", "cohort_file", "inputs_file", "issuer_file", "previous:", "sha256")
    for pdf in every_pdf(outputs):
        text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
        assert [k for k in keys if k in text] == [], pdf


def _national_rank(outputs: Path, region: str) -> str:
    summary = pages(outputs, 2024, 2, region)[1]
    return re.search(r"PERINGKAT NASIONAL\s*(\d+ dari \d+)", summary).group(1)


def test_pariaman_and_pelalawan_tied_at_2_14_share_their_rank(outputs):
    assert _national_rank(outputs, "kota-pariaman") == _national_rank(outputs, "kab-pelalawan")


def test_malang_2023_shows_last_years_2_51_and_an_improvement_of_0_44(outputs):
    summary = pages(outputs, 2023, 2, "kab-malang")[1]
    assert "naik 0,44 dari 2,51 pada 2022" in summary


def test_pdf_metadata_names_the_issuer_as_author(outputs):
    meta = PdfReader(outputs / "2024" / "tahap-2" / "kota-padang-panjang" / "report.pdf").metadata
    assert meta.author == "Kementerian Komunikasi dan Digital Republik Indonesia"


def test_pdf_metadata_names_smartcity_eval_as_creator(outputs):
    meta = PdfReader(outputs / "2024" / "tahap-2" / "kota-padang-panjang" / "report.pdf").metadata
    assert meta.creator.startswith("smartcity-eval ")


def test_pdf_metadata_has_subject_and_keywords(outputs):
    meta = PdfReader(outputs / "2024" / "tahap-2" / "kota-padang-panjang" / "report.pdf").metadata
    assert "Kota Padang Panjang" in meta.subject and "Sumatera Barat" in meta["/Keywords"]


def test_pdf_language_is_indonesian(outputs):
    reader = PdfReader(outputs / "2024" / "tahap-2" / "kota-padang-panjang" / "report.pdf")
    assert reader.root_object["/Lang"] == "id"


def test_pdf_has_bookmarks_for_its_sections(outputs):
    reader = PdfReader(outputs / "2024" / "tahap-2" / "kota-padang-panjang" / "report.pdf")
    assert {"Ringkasan Eksekutif", "Lembar Pengesahan"} <= set(_titles(reader.outline))


def _titles(outline: list) -> list[str]:
    return [t for o in outline for t in (_titles(o) if isinstance(o, list) else [o.title])]


def test_pdf_bookmarks_name_each_finding_kind_once_per_report_not_per_assessor(outputs):
    reader = PdfReader(outputs / "2024" / "tahap-2" / "kota-padang-panjang" / "report.pdf")
    assert "Kekuatan" not in _titles(reader.outline)
