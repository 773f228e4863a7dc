"""Tests for smartcity_eval.reports.report: notebook -> HTML (template) and HTML -> PDF (Chromium)."""

from __future__ import annotations

import http.server
import os
import re
import stat
import threading
from pathlib import Path

import nbformat
import pytest
from lxml import html as lxml_html
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from smartcity_eval.reports import report
from smartcity_eval.reports.report import (
    BROWSER_ENV_VAR,
    BrowserUnavailable,
    PdfPrinter,
    find_browser,
    notebook_to_html,
    pdf_available,
    write_bytes_atomic,
    write_text_atomic,
)

CODE_SOURCE = "skor_total = hitung_skor(df_wilayah)  # KODE-RAHASIA"
REMOVED_SOURCE = "debug_cell()  # SEL-DIHAPUS"


def _notebook() -> nbformat.NotebookNode:
    """A small executed-looking report notebook built in memory."""
    table = (
        "<table><thead><tr><th>Wilayah</th><th class='num'>Skor</th></tr></thead><tbody>"
        + "".join(f"<tr><td>Kota {i}</td><td class='num'>{i * 1.5:.2f}</td></tr>" for i in range(8))
        + "</tbody></table>"
    )
    return new_notebook(
        cells=[
            new_markdown_cell(
                '<div class="provisional-banner">Hasil sementara</div>\n\n'
                "# Laporan Evaluasi\n\nLihat [situs program](https://example.org/gerakan).\n\n"
                "## 1. Ringkasan\n\nTeks ringkasan."
            ),
            new_code_cell(
                CODE_SOURCE,
                execution_count=1,
                outputs=[
                    new_output("display_data", data={"text/html": table, "text/plain": "<table>"}),
                    new_output("stream", name="stdout", text="selesai dihitung\n"),
                ],
            ),
            new_markdown_cell("## 2. Rincian\n\nBagian kedua."),
            new_code_cell(
                REMOVED_SOURCE,
                execution_count=2,
                metadata={"tags": ["remove-cell"]},
                outputs=[new_output("stream", name="stdout", text="OUTPUT-DIHAPUS\n")],
            ),
        ]
    )


@pytest.fixture(scope="module")
def report_html() -> str:
    return notebook_to_html(_notebook(), title="Kota Padang Panjang · 2024")


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def test_html_has_no_code_or_prompts(report_html: str) -> None:
    assert '<div class="jp-InputArea' not in report_html
    assert "In&nbsp;[" not in report_html
    assert "Out[" not in report_html
    assert "KODE-RAHASIA" not in report_html
    assert "hitung_skor" not in report_html


def test_html_keeps_outputs_and_markdown(report_html: str) -> None:
    assert "Laporan Evaluasi" in report_html
    assert "selesai dihitung" in report_html
    assert '<td class="num">3.00</td>' in report_html
    assert 'class="provisional-banner"' in report_html


def test_remove_cell_tag_drops_cell(report_html: str) -> None:
    assert "SEL-DIHAPUS" not in report_html
    assert "OUTPUT-DIHAPUS" not in report_html


_REMOTE_ATTR = re.compile(
    r"""<(?P<tag>[a-z][a-z0-9-]*)\b[^>]*?\b(?P<attr>src|href|srcset|data)\s*=\s*["']?\s*"""
    r"""(?P<url>(?:[a-z][a-z0-9+.-]*:)?//[^"'\s>]*)""",
    re.IGNORECASE,
)


def test_html_fetches_nothing_remote(report_html: str) -> None:
    remote = [
        (m["tag"], m["attr"], m["url"])
        for m in _REMOTE_ATTR.finditer(report_html)
        if not (m["tag"].lower() == "a" and m["attr"].lower() == "href")  # text links are fine
    ]
    assert remote == [], f"remote assets referenced: {remote}"
    assert not re.search(r"<script[^>]*\bsrc\s*=", report_html, re.I)
    assert not re.search(r"@import\s+(?:url\()?\s*['\"]?(?:https?:)?//", report_html, re.I)
    assert "mathjax" not in report_html.lower()
    assert "require.js" not in report_html.lower()


def test_text_links_are_kept(report_html: str) -> None:
    assert 'href="https://example.org/gerakan"' in report_html


def test_remote_assets_in_outputs_are_stripped() -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell('<img src="https://example.org/logo.png" alt="logo">'),
            new_code_cell(
                "x",
                execution_count=1,
                outputs=[
                    new_output(
                        "display_data",
                        data={
                            "text/html": '<link rel="stylesheet" href="https://cdn.example/x.css">'
                            '<script src="http://cdn.example/x.js"></script><p>isi</p>',
                        },
                    )
                ],
            ),
        ]
    )
    out = notebook_to_html(nb)
    assert "cdn.example" not in out
    assert "example.org/logo.png" not in out
    assert "[logo]" in out
    assert "<p>isi</p>" in out


@pytest.mark.parametrize(
    ("image", "kept"),
    [
        ('<img src="https://example.org/a.png" alt="peta">', "[peta] sesudah"),
        ('<img src="//example.org/b.png">', " sesudah"),
    ],
)
def test_text_after_a_remote_image_stays(image: str, kept: str) -> None:
    nb = new_notebook(cells=[new_markdown_cell(f"<p>sebelum {image} sesudah</p>")])
    text = lxml_html.document_fromstring(notebook_to_html(nb)).xpath("string(//p)")
    assert text == f"sebelum {kept}"


def test_html_has_print_css_and_title(report_html: str) -> None:
    compact = re.sub(r"\s+", " ", report_html)
    assert "@page { size: A4; margin: 18mm 15mm 20mm 15mm; }" in compact
    assert "break-before: page" in compact
    assert "display: table-header-group" in compact
    assert ".provisional-banner" in compact
    assert ".cover" in compact
    assert "<title>Kota Padang Panjang · 2024</title>" in report_html
    assert '<html lang="id">' in report_html


def _with_metadata_cell() -> nbformat.NotebookNode:
    nb = _notebook()
    meta = '<meta name="author" content="Kementerian X"/><meta name="dcterms.title" content="Laporan Resmi"/>'
    cell = nbformat.v4.new_code_cell("document_info")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": meta})]
    nb.cells.append(cell)
    return nb


def test_document_metadata_moves_into_the_head() -> None:
    head = lxml_html.document_fromstring(notebook_to_html(_with_metadata_cell())).find("head")
    assert head.xpath("meta[@name='author']/@content") == ["Kementerian X"]


def test_document_metadata_leaves_the_body() -> None:
    body = lxml_html.document_fromstring(notebook_to_html(_with_metadata_cell())).find("body")
    assert body.xpath(".//meta") == []


def test_document_title_becomes_the_page_title() -> None:
    assert "<title>Laporan Resmi</title>" in notebook_to_html(_with_metadata_cell())


def test_notebook_from_path(tmp_path: Path) -> None:
    path = tmp_path / "padang_panjang.ipynb"
    nbformat.write(_notebook(), path)
    out = notebook_to_html(path)
    assert "<title>padang_panjang</title>" in out
    assert "KODE-RAHASIA" not in out


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _page_count(pdf: Path) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    return len(PdfReader(str(pdf)).pages)


@pytest.fixture(scope="module")
def pdf_ok() -> None:
    ok, why = pdf_available()
    if not ok:
        pytest.skip(f"no Chromium for PDF printing here: {why}")


#: a running header with what workbook text may hold: quotes, a backslash and the end of a style element
HOSTILE_HEADER = 'Kota "Baru" \\ </style><b>tebal</b> & Co'


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, report_html: str, pdf_ok: None) -> dict[str, Path]:
    """The test report printed by one browser, in Indonesian with a plain header and in English with a hostile one."""
    folder = tmp_path_factory.mktemp("printed")
    html_path = write_text_atomic(folder / "laporan.html", report_html)
    pdfs = {"id": folder / "out" / "laporan.pdf", "en": folder / "out" / "report-en.pdf"}
    with PdfPrinter() as printer:  # one browser, two prints
        printer.print_pdf(html_path, pdfs["id"], header="Kota Padang Panjang · 2024 · Tahap II")
        printer.print_pdf(html_path, pdfs["en"], header=HOSTILE_HEADER, lang="en")
    return pdfs


def _first_page(pdf: Path) -> str:
    from pypdf import PdfReader

    return PdfReader(str(pdf)).pages[0].extract_text()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_print_pdf_writes_a_pdf(printed: dict[str, Path], lang: str) -> None:
    assert printed[lang].read_bytes().startswith(b"%PDF")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_print_pdf_has_pages(printed: dict[str, Path], lang: str) -> None:
    assert _page_count(printed[lang]) >= 1  # sections flow (only parts start a page: tests/test_report_pdf.py)


@pytest.mark.slow
def test_print_pdf_leaves_no_temporary_file(printed: dict[str, Path]) -> None:
    assert not [p for p in printed["id"].parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_running_header_is_printed_on_the_page(printed: dict[str, Path]) -> None:
    assert "Kota Padang Panjang · 2024 · Tahap II" in _first_page(printed["id"])


@pytest.mark.slow
def test_running_header_prints_workbook_text_as_it_is(printed: dict[str, Path]) -> None:
    assert HOSTILE_HEADER in _first_page(printed["en"])


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "footer"), [("id", "Halaman 1 dari 1"), ("en", "Page 1 of 1")])
def test_footer_numbers_the_pages(printed: dict[str, Path], lang: str, footer: str) -> None:
    assert footer in _first_page(printed[lang])


def test_footer_counts_pages_in_css() -> None:
    assert 'content:"Halaman " counter(page) " dari " counter(pages);' in report.running_css("x", "id")


def test_css_string_escapes_what_would_end_the_string_or_the_style() -> None:
    assert report.css_string('a"b\\</style>') == '"a\\22 b\\5c \\3c /style\\3e "'


def test_running_css_goes_last_in_the_head() -> None:
    page = report.with_running_css("<html><head><style>p{}</style></head><body></body></html>", "x", "id")
    assert page.index("@top-left") > page.index("p{}") and page.index("@top-left") < page.index("</head>")


@pytest.mark.slow
def test_printing_requests_nothing_from_the_network(tmp_path: Path, pdf_ok: None) -> None:
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    page = (
        f'<html><body><p>Laporan</p><img src="{base}/logo.png" alt="logo"><link rel="stylesheet" href="{base}/x.css">'
    )
    html_path = write_text_atomic(
        tmp_path / "laporan.html", page + f'<iframe src="{base}/frame"></iframe></body></html>'
    )
    try:
        with PdfPrinter() as printer:
            printer.print_pdf(html_path, tmp_path / "laporan.pdf", header="x")
    finally:
        server.shutdown()
    assert hits == []
    assert (tmp_path / "laporan.pdf").read_bytes().startswith(b"%PDF")


def test_print_pdf_requires_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not started"):
        PdfPrinter().print_pdf(tmp_path / "a.html", tmp_path / "a.pdf", header="x")


@pytest.mark.slow
def test_unlaunchable_browser_raises_browser_unavailable(tmp_path: Path) -> None:
    fake = tmp_path / "not-a-browser"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    printer = PdfPrinter(browser=str(fake), timeout_ms=20_000)
    with pytest.raises(BrowserUnavailable, match="apt-get install chromium"):
        printer.start()
    printer.close()
    ok, why = pdf_available(str(fake))
    assert not ok
    assert "playwright install chromium" in why


# ---------------------------------------------------------------------------------------------
# find_browser
# ---------------------------------------------------------------------------------------------


def _fake_executable(folder: Path, name: str) -> Path:
    exe = folder / name
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return exe


def test_find_browser_honours_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _fake_executable(tmp_path, "my-chromium")
    monkeypatch.setenv(BROWSER_ENV_VAR, str(exe))
    assert find_browser() == str(exe)
    other = _fake_executable(tmp_path, "explicit-chromium")
    assert find_browser(str(other)) == str(other)  # explicit argument wins over the env var


def test_find_browser_env_var_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BROWSER_ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(BrowserUnavailable, match=BROWSER_ENV_VAR):
        find_browser()


def test_find_browser_system_then_playwright(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BROWSER_ENV_VAR, raising=False)
    exe = _fake_executable(tmp_path, "chromium-browser")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_browser() == str(exe)
    exe.unlink()
    assert find_browser() is None  # Playwright's own browser


# ---------------------------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------------------------


def test_write_text_atomic_roundtrip(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "laporan.html"
    write_text_atomic(target, "héllo · dunia")
    assert target.read_text(encoding="utf-8") == "héllo · dunia"
    write_bytes_atomic(target, b"%PDF-1.4 x")
    assert target.read_bytes() == b"%PDF-1.4 x"
    assert sorted(p.name for p in target.parent.iterdir()) == ["laporan.html"]


def test_failed_write_leaves_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "laporan.html"
    write_text_atomic(target, "versi lama")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(report.os, "replace", boom)
    with pytest.raises(OSError, match="simulated"):
        write_text_atomic(target, "versi baru yang setengah jadi")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "versi lama"
    assert os.listdir(tmp_path) == ["laporan.html"]  # no leftover temp file


def test_failed_first_write_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "baru.pdf"

    def boom(src: str, dst: str) -> None:
        raise OSError("simulated")

    monkeypatch.setattr(report.os, "replace", boom)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"%PDF")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def _dom(page: str) -> list[tuple[str, list[tuple[str, str]], str, str]]:
    """A page as its elements in document order: tag, attributes (sorted: serialisers order them differently), text
    and tail, with runs of white space as one space (a class list, text and tail; the report has no ``<pre>``)."""

    def squeezed(text: str | None) -> str:
        return " ".join((text or "").split())

    return [
        (
            str(e.tag),
            sorted((k, squeezed(v) if k == "class" else v) for k, v in e.attrib.items()),
            squeezed(e.text),
            squeezed(e.tail),
        )
        for e in lxml_html.document_fromstring(page).iter()
    ]


def test_single_pass_export_equals_nbconvert_export(monkeypatch):
    """The exporter that parses the page once gives the same HTML as nbconvert's own exporter plus a re-parse."""
    nb = _notebook()
    nb.cells.append(
        new_code_cell(
            "x",
            execution_count=3,
            outputs=[
                new_output(
                    "display_data", data={"text/html": '<img src="data:image/png;base64,iVBORw0KGgo="/><p>sans alt</p>'}
                )
            ],
        )
    )
    fast = notebook_to_html(nb, title="T", lang="en")
    monkeypatch.setattr(report, "_SINGLE_PASS", False)
    assert _dom(notebook_to_html(nb, title="T", lang="en")) == _dom(fast)
    assert 'alt="No description has been provided for this image"' in fast


def test_an_export_validates_the_notebook_once(monkeypatch):
    """nbconvert validates after every preprocessor unless told otherwise; the report's exporter validates once."""
    nb, calls = _notebook(), []
    validate = nbformat.validate
    monkeypatch.setattr(nbformat, "validate", lambda nb, *a, **k: (calls.append(nb), validate(nb, *a, **k))[1])
    notebook_to_html(nb)
    assert len(calls) == 1
