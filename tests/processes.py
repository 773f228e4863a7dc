"""What the tests that look for leftover processes share: command lines and live kernels, read safely.

A child that has exited but is not yet reaped (a zombie) or is gone between listing and reading is not alive:
reading its command line raises, so each read here treats :class:`psutil.Error` as "nothing there".
"""

from __future__ import annotations

import psutil

__all__ = ["alive", "cmdline", "kernel_pids"]


def cmdline(p: psutil.Process) -> list[str]:
    """``p``'s command line, empty when it has exited (zombie or gone)."""
    try:
        return p.cmdline()
    except psutil.Error:
        return []


def kernel_pids() -> set[int]:
    """Process ids of live IPython kernels under this (test) process."""
    return {p.pid for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(cmdline(p))}


def alive(processes: set[psutil.Process]) -> list[str]:
    """The command lines (cut to 120 characters) of those of ``processes`` still running."""
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(" ".join(p.cmdline())[:120])
        except psutil.Error:
            pass
    return out
