"""What keeps batches apart: one batch per output folder at a time (:func:`folder_lock`: an exclusive ``flock`` on
``<output>/<year>/tahap-<stage>/.lock``, naming its holder). (Child processes die with their parent through
:mod:`smartcity_eval.common.processes`.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from smartcity_eval.common import i18n

if TYPE_CHECKING:
    from smartcity_eval.batch.params import RunSpec

#: seconds a second batch on the same folder waits for the first before it refuses
LOCK_WAIT_S = 3.0
LOCK_NAME = ".lock"


class BatchBusy(i18n.LocalizedError):
    """Another batch holds the output folder."""

    section = "runner"


def inside(root: Path, *parts: str) -> Path:
    """``root / parts`` after checking it stays inside ``root``."""
    path = root.joinpath(*parts).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"path {path} leaves the output folder {root}")
    return path


def batch_folder(spec: RunSpec) -> Path:
    """``outputs/<year>/tahap-<stage>/``, created."""
    folder = inside(spec.output_dir.resolve(), str(spec.year), f"tahap-{spec.stage}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def folder_lock(folder: Path, wait: float | None = None) -> Iterator[str]:
    """Hold ``folder/.lock`` exclusively for the block; yields the batch's id. Raises :class:`BatchBusy` (naming the
    holder's pid, host and start) when another batch still holds it after ``wait`` seconds (:data:`LOCK_WAIT_S`)."""
    path, wait = folder / LOCK_NAME, LOCK_WAIT_S if wait is None else wait
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait)
        batch_id = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now(), "batch": batch_id}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield batch_id
    finally:
        os.close(fd)  # the lock goes with the descriptor (also when this process is killed)


def _acquire(fd: int, path: Path, wait: float) -> None:
    """Take the lock on ``fd``, polling for ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise BatchBusy("busy", folder=path.parent, lock=path, **holder(path)) from None
            time.sleep(0.1)


def holder(path: Path) -> dict[str, str]:
    """The pid, host and start time the lock file at ``path`` names ("?" for what it does not say)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    return {key: str(data.get(key, "?")) for key in ("pid", "host", "started")}


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
