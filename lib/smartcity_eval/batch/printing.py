"""PDF printing in the batch's main process: a few threads, each with one browser for the whole batch, printing
while the workers execute notebooks."""

from __future__ import annotations

import concurrent.futures as cf
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any

from smartcity_eval.batch.records import Printed

#: threads (each with a browser) printing PDFs in the main process while the workers execute notebooks
PRINT_THREADS = 2


class Printer:
    """One browser, started on first use; remembers when none can be had."""

    def __init__(self, browser: str | None) -> None:
        self.browser = browser
        self.printer: Any = None
        self.unavailable = ""

    def start(self) -> str:
        """Launch the browser unless it runs; the problem ("" when it runs)."""
        if self.printer is None and not self.unavailable:
            from smartcity_eval.reports.report import BrowserUnavailable, PdfPrinter

            try:
                self.printer = PdfPrinter(browser=self.browser, reuse_page=True).__enter__()
            except BrowserUnavailable as exc:
                self.unavailable = str(exc).splitlines()[0]
                print(f"PDF: {exc}", file=sys.stderr)
        return self.unavailable

    def warm(self, lang: str) -> None:
        """Launch the browser and open its tab for ``lang`` ahead of the first print; a failure here is left for that
        print to meet (with a new browser)."""
        try:
            if not self.start():
                self.printer.warm(lang)
        except Exception:
            self.close()

    def print(self, html: Path, pdf: Path, header: str, lang: str) -> str:
        """Print ``html`` to ``pdf``; the problem, or "" when printed."""
        if self.start():
            return self.unavailable
        try:
            self.printer.print_pdf(html, pdf, header=header, lang=lang)
            return ""
        except Exception:  # a crashed or stuck browser: the next region gets a new one
            self.close()
            raise

    def close(self) -> None:
        printer, self.printer = self.printer, None
        if printer is not None:
            try:
                printer.__exit__(None, None, None)
            except Exception as exc:  # closing a browser that already died
                print(f"PDF: closing the browser: {type(exc).__name__}: {exc}", file=sys.stderr)


class PrintPool:
    """PDF printing on ``threads`` threads of the main process, each with its own :class:`Printer` (Playwright's
    sync API wants one browser per thread), started as jobs arrive."""

    def __init__(self, browser: str | None, threads: int = PRINT_THREADS) -> None:
        self.browser, self.size = browser, max(1, threads)
        self.jobs: queue.Queue[tuple[cf.Future[Printed], tuple[Any, ...]] | None] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()  # threads are added from the thread that submits and from :meth:`warm`'s caller
        self.unavailable = ""

    def __enter__(self) -> PrintPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _serve(self, eager: str) -> None:
        printer = Printer(self.browser)
        try:
            if eager:
                printer.warm(eager)
            while (job := self.jobs.get()) is not None:
                future, args = job
                if future.set_running_or_notify_cancel():
                    self._print(printer, future, args)
        finally:
            printer.close()

    def _print(self, printer: Printer, future: cf.Future[Printed], args: tuple[Any, ...]) -> None:
        t0 = time.perf_counter()
        try:
            problem = self.unavailable or printer.print(*args)
            if printer.unavailable:
                self.unavailable = printer.unavailable
            future.set_result(Printed(problem, time.perf_counter() - t0))
        except BaseException as exc:
            future.set_exception(exc)

    def warm(self, lang: str) -> None:
        """Start a thread and its browser, with a tab for ``lang``, now, before the first PDF is asked for (one report:
        the browser starts while the notebook runs)."""
        with self.lock:
            if len(self.threads) < self.size:
                self._add_thread(eager=lang)

    def _add_thread(self, eager: str = "") -> None:
        thread = threading.Thread(target=self._serve, args=(eager,), name=f"pdf-{len(self.threads) + 1}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def submit(self, html: Path, pdf: Path, header: str, lang: str) -> cf.Future[Printed]:
        """Print ``html`` to ``pdf``."""
        with self.lock:
            if len(self.threads) < self.size:
                self._add_thread()
        future: cf.Future[Printed] = cf.Future()
        self.jobs.put((future, (html, pdf, header, lang)))
        return future

    def close(self) -> None:
        """Let every thread finish the jobs it was given, then stop it."""
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(timeout=120)
