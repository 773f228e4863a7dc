"""Child processes that do not outlive their parent, however it dies: the batch's workers, zygotes and kernels,
and the store's ingest workers. Linux's parent-death signal, and a check that the parent is still the one it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process when the thread that started it ends (Linux), and leave at once when the
    parent ``parent`` (when given) is already gone. Call first thing in a child process."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def worker_init() -> None:
    """A worker process's first steps: die with the batch's process, and leave Ctrl-C to it (no traceback)."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    die_with_parent(parent.pid if parent is not None else None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def watch_parent(parent: int | None = None, interval: float = 0.2) -> None:
    """Leave (``os._exit``) as soon as this process's parent ``parent`` (by default the present one) is gone, checked
    every ``interval`` seconds by a daemon thread: for a process whose parent may start it from a thread that ends
    first (where the parent-death signal would fire too early)."""
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
