"""``smartcity-eval preview``: a local server that shows one region's report while the assessor edits its workbook.

It renders the report (:mod:`smartcity_eval.preview.render`) on a thread of its own that keeps a warm kernel,
watches every file the report depends on (:func:`smartcity_eval.results.sources.report_inputs`) and renders again
on each save; the open page (:mod:`smartcity_eval.preview.page`) hears of each render by server-sent events. A
workbook with problems, or a notebook that fails, puts its problems above the last good report, which stays. The
"PDF" link prints the report shown with the project's :class:`~smartcity_eval.reports.report.PdfPrinter` (one
browser, started on the first print). The server listens on 127.0.0.1 unless told otherwise; Ctrl-C stops it and
everything it started.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import datetime as dt
import errno
import json
import shutil
import socket
import sys
import tempfile
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from watchfiles import awatch

from smartcity_eval.batch.single import WarmNotebooks
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES, format_number, stage_name
from smartcity_eval.common.layout import DEFAULT_DATA_DIR, DEFAULT_OUTPUT_DIR, DataLayout, check_slug
from smartcity_eval.common.tables import write_text_atomic
from smartcity_eval.preview.page import page, waiting
from smartcity_eval.preview.render import INVALID, NOTEBOOK, Rendered, Renderer, Target
from smartcity_eval.results.sources import report_inputs

T = i18n.section("preview")
HOST = "127.0.0.1"
PORT = 8765
HELP = "serve one region's report while its workbook is edited, rendered again on each save"
#: how often a waiting event stream looks whether the server is stopping (seconds)
TICK = 0.25
#: milliseconds without a further change before a save is taken (a save writes its file in several steps)
SETTLE_MS = 50
#: seconds to wait for a half-written workbook to be complete before it is checked (and found unreadable)
SETTLE_MAX = 1.0


@dataclass
class State:
    """What the page shows: renders done (``version``), the render whose report is shown (``report``; 0 for none
    yet) and its HTML, the last render's problems, and whether a render is running."""

    version: int = 0
    report: int = 0
    html: str = ""
    name: str = ""
    header: str = ""
    problems: tuple[str, ...] = ()
    kind: str = ""
    rendering: bool = True
    finished: str = ""
    seconds: float = 0.0

    def apply(self, rendered: Rendered, finished: str) -> None:
        """Take a render's outcome: its report when it has one (else the last good report stays), its problems."""
        self.version += 1
        self.rendering, self.finished, self.seconds = False, finished, rendered.seconds
        self.problems, self.kind = rendered.problems, rendered.kind
        self.name = rendered.name or self.name
        if rendered.ok:
            self.report, self.html, self.header = self.version, rendered.html, rendered.header

    def public(self, lang: str) -> dict[str, Any]:
        """What the page's script reads (no report: the frame fetches that)."""
        return {
            "version": self.version,
            "report": self.report,
            "problems": list(self.problems),
            "title": problem_title(self.kind, lang) if self.problems else "",
            "status": self.status(lang),
        }

    def status(self, lang: str) -> str:
        t = T[lang]
        if self.rendering:
            return t("rendering") if self.version else t("preparing")
        if self.problems:
            return t("failed_at", time=self.finished, problems=len(self.problems))
        return t("updated_at", time=self.finished, seconds=format_number(self.seconds, 1, lang))


def problem_title(kind: str, lang: str) -> str:
    """The heading of the problems panel: the workbook is not valid, the report's code failed, or data cannot be
    read."""
    t = T[lang]
    if kind == INVALID:
        return t("invalid")
    return t("notebook") if kind == NOTEBOOK else t("runner")


def watched(target: Target) -> set[str]:
    """Every file the region's report depends on (those not there yet too), as resolved paths."""
    places = report_inputs(target.data_dir, target.region, target.year, target.stage, target.previous)
    return {str(Path(p).resolve()) for p in places}


def watch_roots(paths: set[str]) -> list[str]:
    """The nearest existing folder of each path: what to watch (a workbook not there yet appears in one)."""
    roots = set()
    for path in map(Path, paths):
        folder = path.parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        roots.add(str(folder))
    return sorted(roots)


def now() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def sse(data: dict[str, Any]) -> str:
    """One server-sent event carrying ``data`` as JSON."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


class Preview:
    """The server's parts: renders on one thread (its warm kernel), PDFs on another (its browser), the page's state
    and the event streams listening to it."""

    def __init__(self, target: Target) -> None:
        self.target, self.lang = target, target.lang
        self.state = State()
        self.listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        self.workdir = Path(tempfile.mkdtemp(prefix="smartcity-preview-"))
        self.renders = WarmNotebooks(target.lang)
        self.prints = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
        self.renderer = self.renders.submit(Renderer, target, self.workdir)
        self.printer: Any = None
        self.wake = asyncio.Event()
        self.server: uvicorn.Server | None = None

    # ---- serving

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/", self.index),
                Route("/report.html", self.report),
                Route("/report.pdf", self.pdf),
                Route("/events", self.events),
                Route("/state", self.current),
            ]
        )

    async def serve(self, sock: socket.socket) -> None:
        """Serve on ``sock`` (bound and listening) until Ctrl-C, rendering on each change of a watched file."""
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        tasks = [asyncio.create_task(self.render_loop()), asyncio.create_task(self.watch())]
        try:
            await self.server.serve(sockets=[sock])
        finally:
            for task in tasks:
                task.cancel()

    def stopping(self) -> bool:
        return self.server is not None and self.server.should_exit

    # ---- rendering

    async def render_loop(self) -> None:
        """Render at the start and after each change; changes during a render make one more render after it."""
        loop = asyncio.get_running_loop()
        renderer = await asyncio.wrap_future(self.renderer)
        self.wake.set()
        while True:
            await self.wake.wait()
            self.wake.clear()
            await self.settle()
            self.state.rendering = True
            self.publish()
            rendered = await loop.run_in_executor(self.renders, renderer.render)  # then the next kernel boots
            self.state.apply(rendered, now())
            self.log(rendered)
            self.publish()

    async def settle(self) -> None:
        """Wait (a second at most) while the region's workbook is half-written: a program that saves in place writes
        the zip archive's directory last, and its last write wakes the renderer again."""
        workbook = DataLayout(self.target.data_dir).workbook(self.target.year, self.target.stage, self.target.region)
        if workbook.is_file() and not zipfile.is_zipfile(workbook):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), SETTLE_MAX)
            self.wake.clear()

    async def watch(self) -> None:
        """Wake the renderer whenever a file the report depends on is saved, created or removed."""
        paths = watched(self.target)
        async for _changes in awatch(*watch_roots(paths), watch_filter=lambda _c, p: p in paths, step=SETTLE_MS):
            self.wake.set()

    def publish(self) -> None:
        """Send the state to every open page."""
        data = self.state.public(self.lang)
        for queue in self.listeners:
            queue.put_nowait(data)

    def log(self, rendered: Rendered) -> None:
        t = T[self.lang]
        if rendered.ok:
            print(t("log_updated", time=self.state.finished, seconds=format_number(rendered.seconds, 1, self.lang)))
        else:
            title = problem_title(rendered.kind, self.lang)
            print(t("log_problems", time=self.state.finished, title=title, problems=len(rendered.problems)))
            for problem in rendered.problems:
                print(f"  - {problem}")
        sys.stdout.flush()

    # ---- the routes

    async def index(self, _request: Request) -> Response:
        label = self.state.name or self.target.region
        when = f"{label} · {self.target.year} · {stage_name(self.target.stage, self.lang)}"
        return HTMLResponse(page(self.state.public(self.lang), when, self.lang), headers=NO_STORE)

    async def report(self, _request: Request) -> Response:
        return HTMLResponse(self.state.html or waiting(self.lang), headers=NO_STORE)

    async def current(self, _request: Request) -> Response:
        return JSONResponse(self.state.public(self.lang), headers=NO_STORE)

    async def events(self, _request: Request) -> Response:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.listeners.add(queue)
        return StreamingResponse(self.stream(queue), media_type="text/event-stream", headers=NO_STORE)

    async def stream(self, queue: asyncio.Queue[dict[str, Any]]) -> AsyncIterator[str]:
        """The state now, then every change of it, until the page goes or the server stops."""
        try:
            yield sse(self.state.public(self.lang))
            while not self.stopping():
                with contextlib.suppress(TimeoutError):
                    yield sse(await asyncio.wait_for(queue.get(), TICK))
        finally:
            self.listeners.discard(queue)

    async def pdf(self, _request: Request) -> Response:
        """The report shown, printed now."""
        from smartcity_eval.reports.report import BrowserUnavailable

        html, header = self.state.html, self.state.header
        if not html:
            return PlainTextResponse(T(self.lang, "no_report"), status_code=503)
        loop = asyncio.get_running_loop()
        try:
            data = await loop.run_in_executor(self.prints, self.print_pdf, html, header)
        except BrowserUnavailable as exc:
            return PlainTextResponse(exc.message(self.lang), status_code=503)
        except Exception as exc:  # a browser that crashed: the next click starts another
            return PlainTextResponse(f"PDF: {type(exc).__name__}: {exc}", status_code=500)
        name = f'inline; filename="{self.target.region}.pdf"'
        return Response(data, media_type="application/pdf", headers={**NO_STORE, "Content-Disposition": name})

    # ---- the printing thread

    def print_pdf(self, html: str, header: str) -> bytes:
        """Print ``html`` with this thread's browser (started on first use; a new one after a failure)."""
        from smartcity_eval.reports.report import PdfPrinter

        folder = self.workdir / "print"
        source = write_text_atomic(folder / "report.html", html)
        try:
            if self.printer is None:
                self.printer = PdfPrinter(reuse_page=True)
                self.printer.start()
            return self.printer.print_pdf(source, folder / "report.pdf", header=header, lang=self.lang).read_bytes()
        except Exception:
            self.close_printer()
            raise

    def close_printer(self) -> None:
        printer, self.printer = self.printer, None
        if printer is not None:
            with contextlib.suppress(Exception):  # a browser already gone (Ctrl-C reaches it too)
                printer.close()

    # ---- stopping

    def close(self) -> None:
        """Stop the kernels (after a render under way), the browser, and remove the working folder."""
        self.renders.shutdown(wait=True, cancel_futures=False)
        self.prints.submit(self.close_printer)
        self.prints.shutdown(wait=True)
        shutil.rmtree(self.workdir, ignore_errors=True)


NO_STORE = {"Cache-Control": "no-store"}


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening (port 0: one the system picks); raises OSError."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def listen_problem(exc: OSError, host: str, port: int, lang: str) -> str:
    """Why the server cannot listen: the port is taken (another preview?), or the system's reason."""
    if exc.errno == errno.EADDRINUSE:
        return T(lang, "port_taken", host=host, port=port)
    return T(lang, "cannot_listen", host=host, port=port, reason=exc.strerror or exc)


def url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def add_parser(subparsers: Any) -> None:
    """Register ``smartcity-eval preview``."""
    p = subparsers.add_parser("preview", help=HELP)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--stage", type=int, choices=(1, 2), required=True)
    p.add_argument("--region", required=True, metavar="SLUG", help="the workbook's file name without .xlsx")
    p.add_argument("--port", type=int, default=PORT, help=f"port to listen on (default: {PORT}; 0: any free one)")
    p.add_argument("--host", default=HOST, help=f"address to listen on (default: {HOST}, this computer only)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help=f"data folder (default: {DEFAULT_DATA_DIR})")
    p.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT_DIR, help="where the last batch's cohort is (default: outputs)"
    )
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of the report and the page")
    p.set_defaults(func=cmd_preview)


def cmd_preview(args: Any) -> int:
    """Serve the preview until Ctrl-C; 1 when the port is taken or cannot be used."""
    lang = args.lang
    try:
        region = check_slug(args.region)
        sock = listen(args.host, args.port)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(listen_problem(exc, args.host, args.port, lang), file=sys.stderr)
        return 1
    target = Target(args.data.resolve(), args.output.resolve(), args.year, args.stage, region, lang)
    preview = Preview(target)
    when = f"{args.year} {stage_name(args.stage, lang)}"
    print(T(lang, "serving", region=region, when=when, url=url(args.host, sock), files=len(watched(target))))
    sys.stdout.flush()
    try:
        asyncio.run(preview.serve(sock))
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
        sock.close()
    print(T(lang, "stopped"))
    return 0
