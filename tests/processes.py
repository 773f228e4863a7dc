"""What the tests that look for leftover processes share: command lines and live kernels, read safely.

A child that has exited but is not yet reaped (a zombie) or is gone between listing and reading is not alive:
reading its command line raises, so each read here treats :class:`psutil.Error` as "nothing there".
"""

from __future__ import annotations

import subprocess
import time

import psutil
import pytest

__all__ = ["alive", "cmdline", "descendants_once", "kernel_pids"]


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


def descendants_once(
    proc: subprocess.Popen, marker: str, count: int, timeout: float = 60, interval: float = 0.05
) -> set[psutil.Process]:
    """Every process under ``proc`` once ``count`` of them have ``marker`` in their command line (the workers'
    ``spawn_main``, the zygotes' ``zygote_main``), gathered again and again so that none is missed; fails the test when
    ``proc`` ends or ``timeout`` passes first."""
    parent, seen, deadline = psutil.Process(proc.pid), set(), time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        children = parent.children(recursive=True)
        seen |= set(children)
        if sum(marker in " ".join(cmdline(p)) for p in children) >= count:
            return seen | set(parent.children(recursive=True))
        time.sleep(interval)
    ended = proc.stderr.read() if proc.poll() is not None and proc.stderr else ""
    pytest.fail(f"not {count} processes with {marker!r} under {proc.pid}: {proc.poll()} {ended}")
