"""The demo's region reports and its 2023 national overview as PDFs, read page by page as their recipients read them
(rendered once, slow)."""

from __future__ import annotations

import functools
import html
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, SAMPLE
from smartcity_eval.batch.params import NOTEBOOKS, declared_parameters, notebook_path
from smartcity_eval.cli import main
from smartcity_eval.common import i18n
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.results import national

pytestmark = pytest.mark.slow

RUNS = {  # run file -> regions rendered
    "params/2024-tahap-2.yaml": ["kota-padang-panjang", "kota-pariaman", "kab-pelalawan"],
    "params/2023-tahap-2.yaml": ["kab-malang"],
    "params/2024-tahap-1.yaml": ["kota-padang-panjang"],  # a run file without an issuer: drafts
}


#: the national overview of `make demo` (the Makefile's ``reports`` target): its run file and its report folder
OVERVIEW_RUN = "params/2023-overview.yaml"
OVERVIEW = Path("2023") / "tahap-2" / "overview"


@contextmanager
def in_repository() -> Iterator[None]:
    """Run files name their data and issuer relative to the repository: run them from there."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    with in_repository():
        for run_file, regions in RUNS.items():
            args = ["run", run_file, "--output", str(out), "--no-progress", "--formats", "html,pdf"]
            assert main(args + [a for r in regions for a in ("--region", r)]) == 0
    return out


@pytest.fixture(scope="module")
def overview(tmp_path_factory) -> Path:
    """The output folder of the 2023 overview rendered from its run file, as `make demo` renders it (the overview
    computes its cohort from the run file's data folder; the store `make demo` ingests before it is not read)."""
    out = tmp_path_factory.mktemp("overview")
    with in_repository():
        assert main(["run", OVERVIEW_RUN, "--output", str(out), "--no-progress", "--formats", "html,pdf"]) == 0
    return out


@functools.cache
def pages(outputs: Path, year: int, stage: int, region: str) -> list[str]:
    return [p.extract_text() for p in PdfReader(outputs / str(year) / f"tahap-{stage}" / region / "report.pdf").pages]


def flat(text: str) -> str:
    """``text`` with every run of whitespace (the PDF's line breaks) as one space."""
    return " ".join(text.split())


def every_pdf(outputs: Path) -> list[Path]:
    return sorted(outputs.rglob("report.pdf"))


def test_padang_panjang_2024_fits_in_twenty_pages(outputs):
    assert len(pages(outputs, 2024, 2, "kota-padang-panjang")) <= 20


def test_cover_carries_the_issuer(outputs):
    cover = pages(outputs, 2024, 2, "kota-padang-panjang")[0]
    assert "Kementerian Komunikasi dan Digital Republik Indonesia" in cover


def test_cover_carries_the_formal_title(outputs):
    cover = flat(pages(outputs, 2024, 2, "kota-padang-panjang")[0])
    assert "Laporan Hasil Evaluasi Implementasi Smart City Tahun 2024 — Tahap II" in cover


def test_cover_carries_the_regions_province(outputs):
    assert "Provinsi Sumatera Barat" in flat(pages(outputs, 2024, 2, "kota-padang-panjang")[0])


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


# ----------------------------------------------------------------------------------------------- every PDF of the demo


@pytest.fixture(scope="module")
def texts(outputs, overview) -> dict[str, str]:
    """Every PDF of the demo, the region reports and the overview, as one text each (read once), by its place."""
    pdfs = {str(p.relative_to(outputs)): p for p in every_pdf(outputs)}
    pdfs[str(OVERVIEW / "report.pdf")] = overview / OVERVIEW / "report.pdf"
    return {name: " ".join(page.extract_text() for page in PdfReader(p).pages) for name, p in pdfs.items()}


@pytest.fixture(scope="module")
def absolute_path(tmp_path_factory) -> re.Pattern[str]:
    """An absolute path under the top folder of this test's tmp folders, the system's tmp folder, the repository or
    the home folder, as given and resolved (``/tmp/…``, ``/work/…``): built from the real paths, not a list."""
    folders = {tmp_path_factory.getbasetemp(), Path(tempfile.gettempdir()), ROOT, Path.home()}
    folders |= {f.resolve() for f in folders}
    tops = {str(Path(*f.parts[:2])) for f in folders if len(f.parts) > 1}
    alternatives = "|".join(re.escape(t) for t in sorted(tops | {str(f) for f in folders}, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w.-])\S*")


@pytest.fixture(scope="module")
def parameter_keys() -> set[str]:
    """The parameters the report notebooks declare (papermill's inspection, as the runner checks run files)."""
    return {key for name in NOTEBOOKS for key in declared_parameters(notebook_path(name))}


def technical_appendix(text: str) -> tuple[str, str]:
    """``text`` without its technical appendix (up to the next appendix), and that appendix ("" when it has none)."""
    appendix = i18n.section("report")["id"]("appendix")
    start = re.search(rf"{appendix} [A-Z]\s+—\s+{i18n.section('document')['id']('technical')}", text)
    if start is None:
        return text, ""
    end = re.compile(rf"{appendix} [A-Z]\s+—").search(text, start.end())
    stop = end.start() if end else len(text)
    return text[: start.start()] + text[stop:], text[start.start() : stop]


def test_the_scan_reads_the_five_region_reports_and_the_overview(texts):
    assert len(texts) == 6


def test_the_scan_knows_the_notebooks_parameters(parameter_keys):
    assert {"data_dir", "cohort_file", "inputs_file", "issuer_file", "previous", "category"} <= parameter_keys


def test_the_path_scan_catches_a_path_of_the_tests_tmp_folder(absolute_path, tmp_path_factory):
    assert absolute_path.search(f"berkas {tmp_path_factory.getbasetemp() / 'pdf0' / 'cohort.csv'} dibaca")


def test_the_path_scan_catches_a_path_of_the_repository(absolute_path):
    assert absolute_path.search(f"data: {ROOT / 'data' / 'sample'}")


def test_the_path_scan_passes_a_letter_number(absolute_path):
    assert absolute_path.search("Nomor: B-13.74/GMSC/EV.01.04/XII/2024") is None


def test_no_pdf_holds_an_absolute_path(texts, absolute_path):
    found = {name: absolute_path.findall(text) for name, text in texts.items()}
    assert found == {name: [] for name in texts}


def test_no_pdf_holds_a_hash(texts):
    found = {name: re.findall(r"\b[0-9a-f]{64}\b|sha256", text, re.IGNORECASE) for name, text in texts.items()}
    assert found == {name: [] for name in texts}


def test_the_technical_appendix_keeps_its_caveat(texts):
    text = texts["2024/tahap-2/kota-padang-panjang/report.pdf"]
    assert "bukan angka resmi" in flat(technical_appendix(text)[1])


@pytest.mark.parametrize("caveat", ["ASUMSI", "bukan angka resmi"])
def test_caveats_only_in_the_technical_appendix(texts, caveat):
    found = [name for name, text in texts.items() if caveat in flat(technical_appendix(text)[0])]
    assert found == []


def test_no_english_parameter_key_in_an_indonesian_report(texts, parameter_keys):
    found = {name: sorted(k for k in parameter_keys if re.search(rf"(?<![\w-]){k}(?![\w-])", text))
             for name, text in texts.items()}  # fmt: skip
    assert found == {name: [] for name in texts}


# ----------------------------------------------------------------------------------------------- ranks


def _rank(outputs: Path, region: str, tile: str) -> str:
    """The rank in the summary tile ``tile`` (``NASIONAL``, ``KATEGORI``) of the region's 2024 Tahap II report."""
    summary = pages(outputs, 2024, 2, region)[1]
    return re.search(rf"PERINGKAT {tile}\s*(\d+ dari \d+)", summary).group(1)


def _national_rank(outputs: Path, region: str) -> str:
    return _rank(outputs, region, "NASIONAL")


def _category_rank(outputs: Path, region: str) -> str:
    return _rank(outputs, region, "KATEGORI")


def test_pariaman_and_pelalawan_tied_at_2_14_share_their_rank(outputs):
    assert _national_rank(outputs, "kota-pariaman") == _national_rank(outputs, "kab-pelalawan")


def test_pariaman_and_pelalawan_tied_at_2_14_share_their_category_rank(outputs):
    assert _category_rank(outputs, "kota-pariaman") == _category_rank(outputs, "kab-pelalawan")


TIED = {"kota-pariaman": "Kota Pariaman", "kab-pelalawan": "Kab. Pelalawan"}


# 2024 Tahap II sample: six participants, five REGULER; the two tied at 2,14 are the last two, sharing the rank
@pytest.mark.parametrize("region", TIED)
def test_a_region_tied_at_2_14_is_fifth_of_six_nationally(outputs, region):
    assert _national_rank(outputs, region) == "5 dari 6"


@pytest.mark.parametrize("region", TIED)
def test_a_region_tied_at_2_14_is_fourth_of_five_in_its_category(outputs, region):
    assert _category_rank(outputs, region) == "4 dari 5"


@pytest.mark.parametrize("region", TIED)
def test_the_executive_summary_says_the_national_rank_is_shared(outputs, region):
    summary = flat(pages(outputs, 2024, 2, region)[1])
    assert "di antara seluruh 6 daerah yang dievaluasi tahun ini, di peringkat 5 (bersama 1 daerah lain)" in summary


@pytest.mark.parametrize(("region", "name"), TIED.items())
def test_the_executive_summary_says_the_category_rank_is_shared(outputs, region, name):
    summary = flat(pages(outputs, 2024, 2, region)[1])
    assert f"{name} berada di peringkat 4 (bersama 1 daerah lain)" in summary


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


# ----------------------------------------------------------------------------------------------- the 2023 overview
# 130 participants of the published 2023 Tahap II table (Kab. Malang, Kota Padang Panjang and Kab. Pelalawan among
# them, from their workbooks) and three regions known only from workbooks: 133; Kota Pekalongan did not take part


@pytest.fixture(scope="module")
def overview_html(overview) -> str:
    return (overview / OVERVIEW / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def results(overview_html) -> list[dict[str, str]]:
    """The rows of the overview's results table, each by its column headers, tags stripped."""
    table = overview_html.split("<h2>Tabel hasil nasional</h2>")[1].split("</table>")[0]
    head, body = table.split("<tbody>")

    def cells(row: str, tag: str) -> list[str]:
        return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row)]

    columns = cells(head, "th")
    return [dict(zip(columns, cells(row, "td"), strict=True)) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_overview_lists_133_participants(results):
    assert len(results) == 133


def test_overview_names_each_participant_once(results):
    assert len({r["Kab/Kota"] for r in results}) == 133


@pytest.fixture(scope="module")
def published() -> set[str]:
    """The participants of the sample's published 2023 Tahap II table."""
    table = national.recompute(national.read_published(DataLayout(SAMPLE).published(2023, 2)), 2023)
    return set(table.loc[table["participant"].astype(bool), "region"])


def test_the_published_2023_table_has_130_participants(published):
    assert len(published) == 130


def test_overview_lists_every_participant_of_the_published_table(results, published):
    assert published - {r["Kab/Kota"] for r in results} == set()


def test_overview_lists_the_regions_known_only_from_workbooks(results):
    assert {"Kota Batam", "Kota Pariaman", "Kota Payakumbuh"} <= {r["Kab/Kota"] for r in results}


def test_overview_gives_every_participant_a_province(results):
    assert [r["Kab/Kota"] for r in results if r["Provinsi"] in ("", "-")] == []


def test_overview_gives_every_participant_a_national_rank(results):
    assert [r["Kab/Kota"] for r in results if not r["No"].isdigit()] == []


def test_overview_gives_every_participant_a_province_rank(results):
    assert [r["Kab/Kota"] for r in results if not r["Peringkat provinsi"].isdigit()] == []


def test_overview_leaves_the_non_participant_out_of_the_table(results):
    assert "Kota Pekalongan" not in {r["Kab/Kota"] for r in results}


def test_overview_lists_the_non_participant_apart(overview_html):
    apart = overview_html.split("<h3>Tidak mengikuti evaluasi</h3>")[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?) \(", apart) == ["Kota Pekalongan"]


# ----------------------------------------------------------------------------------------------- the assessor panel


def panel_appendix(outputs: Path) -> str:
    text = flat(" ".join(pages(outputs, 2024, 2, "kota-padang-panjang")))
    return text[text.index("Lampiran E — Panel asesor") :]


def test_the_panel_appendix_lists_the_moderated_item_with_every_score_and_the_agreed_one(outputs):
    assert "QW-05 1 2 2 4 3 2,40 2 Kemitraan baru sebatas nota kesepahaman" in panel_appendix(outputs)


def test_the_panel_appendix_names_the_dispute_left_open(outputs):
    assert "Belum dimoderasi (1): OP-03." in panel_appendix(outputs)
