"""One report on this machine: the thread its notebook runs in, with its kernel started as early as can be.

A run of one report starts no worker process and no zygote: its workbook is checked in the main process, and its
notebook runs in a :class:`OneNotebook` thread whose kernel (started the ordinary way, no spare after it) boots
while the main process plans. The command line makes that thread before it imports and checks anything else
(:func:`early`), since the kernel's boot is the longest step before the notebook can run.

A process that renders one report after another (the report server, the preview) keeps a :class:`WarmNotebooks`
thread instead: its kernels fork from a zygote with the report modules imported, and the next one is made ready
while the thread has nothing to do.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from smartcity_eval.batch import kernels
from smartcity_eval.batch.execute import warm_html
from smartcity_eval.batch.notebooks import notebooks_dir
from smartcity_eval.batch.records import KERNEL
from smartcity_eval.batch.report_kernel import REPORT_KERNEL
from smartcity_eval.common.i18n import DEFAULT_LANG


class OneNotebook(cf.ThreadPoolExecutor):
    """A thread that executes one notebook of ``folder`` in ``lang``: its kernel starts as the thread is made, the
    HTML exporter is made while it boots, and its kernel pool is stopped, in the thread, as soon as the notebook is
    done (while the PDF prints), or at the shutdown when no notebook came."""

    def __init__(self, folder: Path, lang: str) -> None:
        super().__init__(max_workers=1, thread_name_prefix="notebook")
        self.folder, self.lang, self.stopping = Path(folder), lang, False
        kernels.find_spec(KERNEL)
        self.pool = super().submit(kernels.pool, REPORT_KERNEL, 0, False).result()  # the thread's own
        html = functools.partial(warm_html, lang)
        self.kernel_started = super().submit(kernels.start_one, REPORT_KERNEL, KERNEL, self.folder, html)

    def fits(self, notebook: Path, lang: str) -> bool:
        """Whether its kernel is the one ``notebook`` in ``lang`` needs."""
        return (Path(notebook).parent, lang) == (self.folder, self.lang) and not self.stopping

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self._stop_kernels()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not self.stopping:  # no notebook came (invalid, unchanged, wrong options): no need to finish booting
            self.pool.abort()
        self._stop_kernels()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)

    def _stop_kernels(self) -> None:
        if not self.stopping:
            self.stopping = True
            super().submit(kernels.close_pool)


class WarmNotebooks(cf.ThreadPoolExecutor):
    """A thread that executes report notebooks one after another for as long as its process lives (the report
    server's, the preview's). After each job, and first of all (with the HTML exporter for ``lang``), its pool's
    next kernel is brought up to answering: a kernel started ahead boots only while its thread waits on the pool, so
    left alone it would boot when the next report asks for it. Its pool is stopped, in the thread, at the shutdown."""

    def __init__(self, lang: str = DEFAULT_LANG) -> None:
        super().__init__(max_workers=1, thread_name_prefix="notebook")
        kernels.find_spec(KERNEL)  # imports IPython on this thread, before the notebook thread does
        self.readying: list[cf.Future[Any]] = []
        self.stopping = False
        self._ready(functools.partial(warm_html, lang))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self._ready(None)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not self.stopping:  # no next kernel is wanted any more: the ones not begun are dropped
            self.stopping = True
            for future in self.readying:
                future.cancel()
            super().submit(kernels.close_pool)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)

    def _ready(self, meanwhile: Callable[[], object] | None) -> None:
        self.readying = [f for f in self.readying if not f.done()]
        if kernels.enabled():
            self.readying.append(super().submit(_ready_next, meanwhile))


#: spare processes of a warm thread's kernels (:mod:`smartcity_eval.common.spares`): its reports come one at a time,
#: so a second core can draw some of each report's charts
SPARES = 1 if (os.cpu_count() or 1) > 1 else 0


def _ready_next(meanwhile: Callable[[], object] | None) -> None:
    """On a :class:`WarmNotebooks` thread: its pool (made on first use) with its next kernel answering."""
    kernels.pool(REPORT_KERNEL, spares=SPARES).warm(KERNEL, notebooks_dir(), meanwhile)


@contextlib.contextmanager
def early(regions: list[str] | None, local: bool, lang: str) -> Iterator[OneNotebook | None]:
    """For a command that asks for one region on this machine (``local``), a :class:`OneNotebook` for the report
    notebooks' folder, made before the command's options are read; None for any other. Shut down at the end."""
    if not (local and regions is not None and len(regions) == 1):
        yield None
        return
    with OneNotebook(notebooks_dir(), lang) as thread:
        yield thread
