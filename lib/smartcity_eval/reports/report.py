"""Render executed report notebooks to self-contained HTML and print them to A4 PDF.

``notebook_to_html`` runs nbconvert's HTMLExporter with the project's ``smartcity`` template
(no code, no prompts, no remote assets). ``PdfPrinter`` drives one headless Chromium through
Playwright and prints any number of those HTML files to PDF with a running header and page
numbers. Every file is written atomically (temp file in the same folder, fsync, ``os.replace``).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import nbconvert
import nbformat
from lxml import html as lxml_html
from nbconvert import HTMLExporter
from traitlets.config import Config

from smartcity_eval import __version__
from smartcity_eval.common import i18n
from smartcity_eval.common.tables import write_bytes_atomic, write_text_atomic

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route
    from pypdf import PdfReader

__all__ = [
    "BROWSER_ENV_VAR",
    "CHROMIUM_ARGS",
    "TEMPLATE_NAME",
    "TEMPLATES_DIR",
    "BrowserUnavailable",
    "PdfPrinter",
    "find_browser",
    "notebook_to_html",
    "pdf_available",
    "write_bytes_atomic",
    "write_text_atomic",
]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "smartcity"
BROWSER_ENV_VAR = "SMARTCITY_EVAL_CHROMIUM"
SYSTEM_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# Outputs that need a live kernel or remote JavaScript come last, so that a richer static
# representation (HTML, image, text) is chosen when the output carries one.
_DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/latex",
    "text/vnd.mermaid",
    "text/plain",
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
]

_REMOTE_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
_CSS_REMOTE_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?\s*(?:https?:)?//[^;]*;?", re.IGNORECASE)
_CSS_REMOTE_URL = re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)", re.IGNORECASE)

#: how to get a browser, as a parameter of the browser messages
INSTALL_HINT = i18n.Message("browser.hint", variable=BROWSER_ENV_VAR)
B = i18n.section("browser")

_TAB_PRINTS = 100  # prints per reused tab
_PRINT_VIEWPORT = {"width": 681, "height": 1000}  # CSS px: A4 width less the side margins (180 mm)
_HEADER_FOOTER_FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif"
)


class BrowserUnavailable(i18n.LocalizedError, RuntimeError):
    """No Chromium could be found or launched, so PDFs cannot be printed (a ``browser`` message)."""

    section = "browser"


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


class _SinglePassHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter whose HTML clean-up (alt text, focusable cells) is left to :func:`notebook_to_html`.

    The stock exporter parses and re-serialises its page with BeautifulSoup (a tree of Python objects, four fifths
    of an export's time), and the report's own clean-up would parse it again; this one renders the template and
    hands back the page, which :func:`notebook_to_html` parses once, with lxml.
    """

    def page_from_notebook_node(self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None) -> str:
        """The rendered page before the stock exporter's changes (:func:`_accessible` makes them)."""
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        page, _ = TemplateExporter.from_notebook_node(self, nb, resources)
        return str(page)


def _has_class(name: str) -> str:
    """An XPath 1.0 test (it has no class selector): the element's class list holds ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_NO_ALT = "No description has been provided for this image"


def _accessible(doc: lxml_html.HtmlElement) -> None:
    """What nbconvert 7's ``HTMLExporter.from_notebook_node`` does to its page: an ``alt`` for every image that has
    none, and the notebook's input and output areas focusable (``tabindex="0"``)."""
    missing = [img for img in doc.iter("img") if img.get("alt") is None]
    for img in missing:
        img.set("alt", _NO_ALT)
    if missing:
        log.warning("Alternative text is missing on %s image(s).", len(missing))
    for name in ("jp-Cell-inputWrapper", "jp-OutputArea-output"):
        for div in doc.xpath(f"//*[{_has_class('jp-Notebook')}]//div[{_has_class(name)}]"):
            div.set("tabindex", "0")


_EXPORTERS = threading.local()
#: the single-pass exporter mirrors nbconvert 7's HTMLExporter.from_notebook_node (tests check they agree)
_SINGLE_PASS = nbconvert.__version__.split(".")[0] == "7"


def _exporter(lang: str) -> _SinglePassHTMLExporter:
    """An HTMLExporter set up with the smartcity template, no code and no prompts (one per thread and language)."""
    cache = _EXPORTERS.__dict__.setdefault("by_lang", {})
    if lang not in cache:
        config = Config()
        config.NbConvertBase.display_data_priority = list(_DISPLAY_PRIORITY)
        config.Exporter.optimistic_validation = True  # the notebook validated once, not after each preprocessor
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
        config.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
        config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
        cache[lang] = _SinglePassHTMLExporter(
            config=config,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            template_name=TEMPLATE_NAME,
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_anchor_links=True,
            embed_images=True,
            language_code=lang,
        )
    return cache[lang]


def _load_notebook(nb: nbformat.NotebookNode | str | Path) -> tuple[nbformat.NotebookNode, str, str]:
    """Return (notebook, name, folder) from a node, a path, or notebook JSON text."""
    if isinstance(nb, nbformat.NotebookNode):
        return nb, str(nb.metadata.get("title") or "Notebook"), ""
    if isinstance(nb, str) and nb.lstrip().startswith("{"):
        return nbformat.reads(nb, as_version=4), "Notebook", ""
    path = Path(nb)
    return nbformat.read(path, as_version=4), path.stem, str(path.resolve().parent)


def _strip_remote_assets(doc: lxml_html.HtmlElement) -> None:
    """Drop anything that would make the page fetch from the network when opened."""
    for tag, attribute in _FETCHING:
        for element in list(doc.iter(tag)):
            if _REMOTE_URL.match(element.get(attribute, "")):
                element.drop_tree()
    for img in list(doc.iter("img")):
        if _REMOTE_URL.match(img.get("src", "")):
            _drop_remote_image(img)
        elif img.get("srcset") is not None:
            del img.attrib["srcset"]
    for style in doc.iter("style"):
        css = style.text
        if css and ("//" in css):
            style.text = _CSS_REMOTE_URL.sub("none", _CSS_REMOTE_IMPORT.sub("", css))


#: elements that fetch what an attribute names, and that attribute (images: :func:`_drop_remote_image`)
_FETCHING = (
    *((tag, "src") for tag in ("script", "iframe", "embed", "source", "track", "audio", "video")),
    ("link", "href"),
    ("object", "data"),
)


def _drop_remote_image(img: lxml_html.HtmlElement) -> None:
    """A remote image becomes its alt text in brackets, or nothing when it has none."""
    alt = (img.get("alt") or "").strip()
    if not alt:
        img.drop_tree()
        return
    placeholder = lxml_html.Element("span", {"class": "remote-image-removed"})
    placeholder.text, placeholder.tail = f"[{alt}]", img.tail
    img.getparent().replace(img, placeholder)


def _lift_metadata(doc: lxml_html.HtmlElement) -> None:
    """Move the document's ``<meta name=...>`` elements (a report's metadata cell) from the body into the head; a
    ``dcterms.title`` becomes the page's ``<title>``."""
    head, body = doc.find("head"), doc.find("body")
    if head is None or body is None:
        return
    for meta in body.xpath(".//meta[@name]"):
        for old in head.xpath("meta[@name=$name]", name=meta.get("name")):
            old.drop_tree()
        _detach(meta)
        head.append(meta)
        title = head.find("title")
        if meta.get("name") == "dcterms.title" and title is not None:
            title.text = meta.get("content", "")


def _detach(element: lxml_html.HtmlElement) -> None:
    """Take ``element`` out of its parent, leaving the text that followed it in place."""
    tail, element.tail = element.tail, None
    previous, parent = element.getprevious(), element.getparent()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, title: str | None = None, lang: str = "id") -> str:
    """Convert an (executed) notebook to one self-contained HTML report page.

    ``nb`` is a notebook node, a path to an ``.ipynb`` file, or notebook JSON text.
    Code, prompts and cells tagged ``remove-cell`` are left out; ``title`` becomes the
    page ``<title>`` and ``lang`` the ``<html lang>`` (an ISO 639-1 code).
    """
    notebook, name, folder = _load_notebook(nb)
    resources: dict[str, Any] = {"metadata": {"name": name}}
    if folder:
        resources["metadata"]["path"] = folder
    if title:
        resources["report_title"] = title
    exporter = _exporter(lang)
    if _SINGLE_PASS:
        page = exporter.page_from_notebook_node(notebook, resources=resources)
    else:  # another nbconvert: its own exporter (and its own changes to the page), then a second parse
        page, _ = HTMLExporter.from_notebook_node(exporter, notebook, resources=resources)
    doc = lxml_html.document_fromstring(page)
    _strip_remote_assets(doc)
    _accessible(doc)
    _lift_metadata(doc)
    return lxml_html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


def _resolve_executable(candidate: str, source: str) -> str:
    """Return ``candidate`` as an executable path, or raise BrowserUnavailable."""
    found = shutil.which(candidate)
    if found is None and Path(candidate).is_file() and os.access(candidate, os.X_OK):
        found = candidate
    if found is None:
        raise BrowserUnavailable("not_executable", source=source, candidate=repr(candidate), hint=INSTALL_HINT)
    return str(Path(found).absolute())


def find_browser(explicit: str | None = None) -> str | None:
    """Return the Chromium executable to use, or None for Playwright's own downloaded browser.

    Order: ``explicit``, then ``$SMARTCITY_EVAL_CHROMIUM``, then a system Chromium/Chrome on
    PATH. An explicit or environment value that is not an executable raises
    :class:`BrowserUnavailable` rather than being silently ignored. ``None`` does not promise
    that Playwright's browser is installed; :class:`PdfPrinter` checks that when it launches.
    """
    if explicit:
        return _resolve_executable(explicit, i18n.Message("browser.argument"))
    from_env = os.environ.get(BROWSER_ENV_VAR, "").strip()
    if from_env:
        return _resolve_executable(from_env, f"${BROWSER_ENV_VAR}")
    for name in SYSTEM_BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def running_css(header: str, lang: str) -> str:
    """The page's running header and footer as CSS page-margin boxes: ``header`` top left, small and grey over a thin
    rule, and "Halaman X dari Y" (id) or "Page X of Y" (en) bottom right.

    Laid out with the page itself, inside the margins of the template's ``@page`` rule; Chromium's header and footer
    templates instead lay out two small documents of their own on every page (0.03–0.04 of the 0.35–0.45 CPU-s it
    takes to print a 20-page report). ``header`` is workbook text: it is escaped as a CSS string (:func:`css_string`).
    """
    page, pages = "\0page\0", "\0pages\0"
    parts = re.split("(\0pages?\0)", B(lang, "page_of", page=page, pages=pages))
    counters = {page: "counter(page)", pages: "counter(pages)"}
    footer = " ".join(counters.get(part) or css_string(part) for part in parts if part)
    box = f"font-family:{_HEADER_FOOTER_FONT};font-size:8pt;color:#5b6672;vertical-align:bottom;"
    rule = "border-bottom:0.5pt solid #c3c8cf;padding-bottom:2pt;"
    one_line = "width:100%;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;"
    return (
        f"@page{{@top-left{{content:{css_string(header)};{box}{one_line}{rule}margin-bottom:8.3mm;}}"
        f"@bottom-right{{content:{footer};{box}margin-bottom:5.6mm;}}}}"
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or its ``<style>`` element: quotes, backslashes,
    angle brackets and control characters as CSS escapes."""
    unsafe = {*'"\\<>', *map(chr, range(32)), "\x7f"}
    return '"' + "".join(f"\\{ord(c):x} " if c in unsafe else c for c in text) + '"'


def with_running_css(page: str, header: str, lang: str) -> str:
    """``page`` (a report's HTML) with :func:`running_css` as the last style of its head."""
    style = f"<style>{running_css(header, lang)}</style>"
    head_end = page.find("</head>")
    return page[:head_end] + style + page[head_end:] if head_end >= 0 else style + page


def _only_local(route: Route) -> None:
    """Playwright route handler: let file:/data:/blob: through, abort everything else."""
    url = route.request.url
    if url.startswith(_LOCAL_SCHEMES):
        route.continue_()
    else:
        log.warning("blocked network request while printing PDF: %s", url)
        route.abort("blockedbyclient")


class PdfPrinter:
    """One headless Chromium (via Playwright) that prints any number of HTML files to PDF.

    Use as a context manager::

        with PdfPrinter() as printer:
            printer.print_pdf(html_path, pdf_path, header="Kota Padang Panjang · 2024 · Tahap II")

    Not thread-safe, and (like Playwright's sync API) not usable inside a running asyncio loop.
    With ``reuse_page`` every print loads its file into the same browser tab (a new one after a failure)
    instead of opening a fresh browser context, which saves starting a renderer process per PDF.
    """

    def __init__(self, *, browser: str | None = None, timeout_ms: float = 120_000, reuse_page: bool = False) -> None:
        """``browser`` overrides :func:`find_browser`; ``timeout_ms`` bounds launch and page load."""
        self._explicit = browser
        self._timeout_ms = timeout_ms
        self._reuse = reuse_page
        self._tab: tuple[str, BrowserContext, Page] | None = None
        self._prints = 0
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.executable: str | None = None
        self.version: str = ""

    def __enter__(self) -> PdfPrinter:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Launch the browser (idempotent). Raises :class:`BrowserUnavailable` on failure."""
        if self._browser is not None:
            return
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        self.executable = find_browser(self._explicit)
        playwright = sync_playwright().start()
        try:
            self._browser = playwright.chromium.launch(
                headless=True,
                executable_path=self.executable,
                args=list(CHROMIUM_ARGS),
                timeout=self._timeout_ms,
            )
        except PlaywrightError as exc:
            playwright.stop()
            which = self.executable or i18n.Message("browser.playwright_own")
            first_line = (str(exc).strip().splitlines() or [""])[0]
            raise BrowserUnavailable("cannot_launch", which=which, reason=first_line, hint=INSTALL_HINT) from exc
        except BaseException:
            playwright.stop()
            raise
        self._playwright = playwright
        self.version = self._browser.version

    def warm(self, lang: str = i18n.DEFAULT_LANG) -> None:
        """Do now what the first :meth:`print_pdf` would: open the reused tab for ``lang`` (``reuse_page`` only; its
        renderer process starts) and load the PDF library. Starts the browser when it has not started."""
        self.start()
        if self._reuse:
            self._page(lang)
        import pypdf  # noqa: F401 - loaded now, not in the first print

    def close(self) -> None:
        """Close the browser and stop Playwright (safe to call twice)."""
        self._close_tab()
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()

    def print_pdf(self, html_path: Path | str, pdf_path: Path | str, *, header: str, lang: str = "id") -> Path:
        """Print ``html_path`` to ``pdf_path`` (A4, backgrounds, running header, page numbers).

        Only file:, data: and blob: requests are allowed; anything else is aborted. The PDF is
        written atomically and its path returned.
        """
        if self._browser is None:
            raise RuntimeError("PdfPrinter is not started; use it as a context manager or call start().")
        source = Path(html_path).resolve()
        if not source.is_file():
            raise FileNotFoundError(source)
        if self._reuse:
            self._prints += 1
            if self._prints % _TAB_PRINTS == 0:  # a fresh tab now and then bounds the renderer's memory
                self._close_tab()
            page = self._page(lang)
            try:
                data = self._print(page, source, header, lang)
            except BaseException:
                self._close_tab()
                raise
        else:
            context = self._new_context(lang)
            try:
                page = context.new_page()
                page.route("**/*", _only_local)
                data = self._print(page, source, header, lang)
            finally:
                context.close()
        return write_bytes_atomic(Path(pdf_path), data)

    def _new_context(self, lang: str) -> BrowserContext:
        assert self._browser is not None
        context = self._browser.new_context(service_workers="block", locale=lang)
        context.set_default_timeout(self._timeout_ms)
        return context

    def _page(self, lang: str) -> Page:
        """The reused tab (one per language), with only local requests allowed."""
        if self._tab is not None and self._tab[0] != lang:
            self._close_tab()
        if self._tab is None:
            context = self._new_context(lang)
            page = context.new_page()
            page.route("**/*", _only_local)
            # lay pages out for print from the start (the PDF is the same; the screen layout was wasted work)
            page.emulate_media(media="print")
            page.set_viewport_size(_PRINT_VIEWPORT)
            self._tab = (lang, context, page)
        return self._tab[2]

    def _close_tab(self) -> None:
        tab, self._tab = self._tab, None
        if tab is not None:
            with contextlib.suppress(Exception):
                tab[1].close()

    @staticmethod
    def _print(page: Page, source: Path, header: str, lang: str) -> bytes:
        """Load ``source`` into ``page`` (whose requests are limited to local ones) and print it.

        The page is self-contained (styles inline, images as data: URIs), so it is written into the open tab rather
        than navigated to: no new document and loader per report, a third less of Chromium's CPU time per PDF.
        """
        page.set_content(with_running_css(source.read_text(encoding="utf-8"), header, lang), wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        info = page.evaluate(_READ_METADATA)
        data = page.pdf(
            format="A4",
            print_background=True,
            prefer_css_page_size=True,
            outline=True,
            tagged=True,
        )
        return with_metadata(data, info)


#: the page's title and <meta name=...> elements, read in the browser before printing
_READ_METADATA = """() => Object.assign({title: document.title},
    Object.fromEntries([...document.head.querySelectorAll('meta[name]')].map(m => [m.name, m.content])))"""
#: PDF document information entries from the page's metadata (see reports/document.py)
_PDF_INFO = {"/Title": "title", "/Author": "author", "/Subject": "description", "/Keywords": "keywords"}


def with_metadata(data: bytes, info: dict[str, str]) -> bytes:
    """``data`` (a PDF) with the page's title, author, subject and keywords, and smartcity-eval as its creator (not
    the browser), appended as an incremental update: the outline, tags and language Chromium wrote stay as they are.

    Chromium ends its PDFs with a cross-reference table: the update is then written here, one object, in
    milliseconds (:func:`info_update`). Any other PDF goes through pypdf's incremental writer, which reads every
    object of the file first (half a second for a 20-page report).
    """
    from pypdf import PdfReader, PdfWriter

    entries = {key: info[name] for key, name in _PDF_INFO.items() if info.get(name)}
    entries["/Creator"] = f"smartcity-eval {__version__}"
    start = data.rfind(b"startxref")
    previous = int(data[start + 9 :].split()[0]) if start >= 0 else -1
    if data[previous : previous + 4] == b"xref":
        return data + info_update(PdfReader(io.BytesIO(data)), entries, previous, len(data))
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_metadata(entries)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def info_update(reader: PdfReader, entries: dict[str, str], previous: int, offset: int) -> bytes:
    """An incremental update (ISO 32000-1, 7.5.6) to the PDF ``reader`` reads, ``offset`` bytes long, whose last
    cross-reference table starts at ``previous``: its document information dictionary again, with ``entries`` set,
    a cross-reference section for that one object, and a trailer that points back to the previous one."""
    from pypdf.generic import DictionaryObject, IndirectObject, NameObject, NumberObject, create_string_object

    trailer = reader.trailer
    old = trailer.raw_get("/Info") if "/Info" in trailer else None
    number = old.idnum if isinstance(old, IndirectObject) else int(trailer["/Size"])
    merged = DictionaryObject(reader.metadata or {})
    merged.update({NameObject(key): create_string_object(value) for key, value in entries.items()})
    end = DictionaryObject({NameObject(k): trailer.raw_get(k) for k in ("/Root", "/ID") if k in trailer})
    end[NameObject("/Size")] = NumberObject(max(int(trailer["/Size"]), number + 1))
    end[NameObject("/Info")] = IndirectObject(number, 0, reader)
    end[NameObject("/Prev")] = NumberObject(previous)
    out = io.BytesIO()
    out.write(b"\n%d 0 obj\n" % number)
    merged.write_to_stream(out)
    xref = offset + out.tell() + len(b"\nendobj\n")
    out.write(b"\nendobj\nxref\n%d 1\n%010d 00000 n \ntrailer\n" % (number, offset + 1))
    end.write_to_stream(out)
    out.write(b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def pdf_available(browser: str | None = None, lang: str = i18n.DEFAULT_LANG) -> tuple[bool, str]:
    """Try to launch Chromium; return (True, description) or (False, reason with install hint), in ``lang``."""
    try:
        with PdfPrinter(browser=browser, timeout_ms=60_000) as printer:
            where = printer.executable or B(lang, "playwright_own")
            return True, B(lang, "found", version=printer.version, where=where)
    except BrowserUnavailable as exc:
        return False, exc.message(lang)
    except Exception as exc:  # e.g. Playwright driver missing, or called inside an asyncio loop
        return False, B(lang, "unavailable", reason=f"{type(exc).__name__}: {exc}", hint=INSTALL_HINT)
