"""The report as a document someone issues: the issuer file, cover, running header, approval page and metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from smartcity_eval.inputs.issuer import read_issuer
from smartcity_eval.reports import document
from smartcity_eval.reports import region_report as rr

ISSUER = ROOT / "params" / "issuer" / "penerbit-contoh.yaml"


@pytest.fixture(scope="module")
def issued() -> rr.RegionReport:
    return rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE, issuer_file=str(ISSUER))


@pytest.fixture(scope="module")
def draft() -> rr.RegionReport:
    return rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)


def _issuer_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "penerbit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------- the issuer file


def test_sample_issuer_file_reads_without_problems():
    assert read_issuer(ISSUER)[1] == []


def test_sample_issuer_has_its_date_of_issue():
    issuer, _ = read_issuer(ISSUER)
    assert issuer.date == dt.date(2024, 12, 16)


def test_letter_number_follows_the_pattern_with_the_region_code(issued):
    assert document.letter_number(issued) == "B-13.74/GMSC/EV.01.04/XII/2024"


def test_an_empty_issuer_file_is_refused_with_a_located_problem(tmp_path):
    _, problems = read_issuer(_issuer_file(tmp_path, "[]\n"))
    assert [p.code for p in problems] == ["issuer_not_mapping"]


def test_every_problem_of_an_issuer_file_is_reported_at_once(tmp_path):
    text = "body: Kementerian X\nplace: Jakarta\ndate: 16-12-2024\nletter_number: 'B-{nomor}/{year}'\nsignatory: {}\n"
    _, problems = read_issuer(_issuer_file(tmp_path, text))
    assert sorted((p.key, p.code) for p in problems) == [
        ("date", "issuer_date"),
        ("letter_number", "issuer_placeholder"),
        ("signatory.name", "issuer_missing"),
        ("signatory.title", "issuer_missing"),
    ]


def test_an_issuer_problem_names_file_key_value_and_expectation(tmp_path):
    path = _issuer_file(
        tmp_path, "body: K\nplace: J\ndate: 2024-13-01\nletter_number: B\nsignatory: {name: N, title: T}\n"
    )
    (problem,) = read_issuer(path)[1]
    assert problem.format("id") == (
        f"GALAT: {path} › kunci date: tanggal terbit tidak valid — nilai: '2024-13-01'; "
        "seharusnya: tanggal TTTT-BB-HH, mis. 2024-12-16"
    )


def test_a_missing_logo_is_a_located_problem(tmp_path):
    text = (
        "body: K\nplace: J\ndate: 2024-12-01\nletter_number: B\nlogo: tidak-ada.png\nsignatory: {name: N, title: T}\n"
    )
    (problem,) = read_issuer(_issuer_file(tmp_path, text))[1]
    assert (problem.key, problem.code) == ("logo", "issuer_logo_missing")


def test_a_report_with_a_bad_issuer_file_stops_with_every_problem(tmp_path):
    path = _issuer_file(tmp_path, "body: K\n")
    with pytest.raises(rr.IssuerError, match="kunci place"):
        rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE, issuer_file=str(path))


# ----------------------------------------------------------------------------------------------- cover and header


def test_cover_carries_the_formal_title(issued):
    assert "Laporan Hasil Evaluasi Implementasi Smart City Tahun 2024 — Tahap II" in document.cover(issued).data


def test_cover_names_the_issuer(issued):
    assert "Kementerian Komunikasi dan Digital Republik Indonesia" in document.cover(issued).data


def test_cover_gives_the_date_of_issue_in_words(issued):
    assert "Jakarta, 16 Desember 2024" in document.cover(issued).data


def test_cover_embeds_the_logo_without_fetching_it(issued):
    assert 'src="data:image/svg+xml;base64,' in document.cover(issued).data


def test_cover_names_the_province(issued):
    assert "Provinsi Sumatera Barat" in document.cover(issued).data


def test_cover_of_an_issued_report_is_no_draft(issued):
    assert "DRAF" not in document.cover(issued).data


def test_cover_without_an_issuer_says_draft(draft):
    assert "DRAF untuk ditinjau" in document.cover(draft).data


def test_cover_shows_no_generation_date(issued):
    assert "Dibuat" not in document.cover(issued).data


def test_running_header_of_a_draft_starts_with_draf():
    assert document.running_header("Kota Padang Panjang", 2024, 2, "id", issued=False) == (
        "DRAF · Kota Padang Panjang · 2024 · Tahap II"
    )


def test_running_header_of_tahap_1_is_provisional():
    assert document.running_header("Kab. Malang", 2024, 1, "id", issued=True).endswith(
        "SEMENTARA — hasil Tahap I, belum final"
    )


# ----------------------------------------------------------------------------------------------- approval, metadata


def test_approval_page_has_the_signature_block(issued):
    html = document.approval(issued).data
    assert "Ditetapkan di Jakarta, pada tanggal 16 Desember 2024" in html


def test_approval_page_names_the_signatory_and_number(issued):
    assert "NIP. 197001012000031001" in document.approval(issued).data


def test_approval_page_of_a_draft_is_not_signed(draft):
    html = document.approval(draft).data
    assert "NIP." not in html


def test_metadata_names_the_issuer_as_author(issued):
    assert document.metadata(issued)["author"] == "Kementerian Komunikasi dan Digital Republik Indonesia"


def test_metadata_creator_is_smartcity_eval(issued):
    assert document.metadata(issued)["generator"].startswith("smartcity-eval ")


def test_metadata_escapes_workbook_text(issued):
    html = document.document_info(issued).data
    assert html.count("<meta ") == len(document.metadata(issued))


def test_caveats_of_2024_name_both_categories_weights():
    caveats = document.weight_caveats(2024, "id")
    assert [c.split(":")[0] for c in caveats] == [
        "Bobot kategori REGULER tahun 2024",
        "Bobot kategori KPPN&IKN tahun 2024",
    ]


def test_official_weights_have_no_caveat():
    assert document.weight_caveats(2023, "id") == []
