"""One report on this machine: the thread its notebook runs in, with its one kernel started as early as can be.

A run of one report starts no worker process and no zygote: its workbook is checked in the main process, and its
notebook runs in a :class:`OneNotebook` thread whose kernel (started the ordinary way, no spare after it) boots
while the main process plans. The command line makes that thread before it imports and checks anything else
(:func:`early`), since the kernel's boot is the longest step before the notebook can run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from smartcity_eval.batch import kernels
from smartcity_eval.batch.execute import warm_html
from smartcity_eval.batch.notebooks import notebooks_dir
from smartcity_eval.batch.records import KERNEL
from smartcity_eval.batch.report_kernel import REPORT_KERNEL


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


@contextlib.contextmanager
def early(regions: list[str] | None, local: bool, lang: str) -> Iterator[OneNotebook | None]:
    """For a command that asks for one region on this machine (``local``), a :class:`OneNotebook` for the report
    notebooks' folder, made before the command's options are read; None for any other. Shut down at the end."""
    if not (local and regions is not None and len(regions) == 1):
        yield None
        return
    with OneNotebook(notebooks_dir(), lang) as thread:
        yield thread
