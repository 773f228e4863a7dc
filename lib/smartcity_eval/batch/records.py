"""The typed records of a batch: what its parts hand each other, within the main process and to and from workers.

A batch moves each region through these records: :class:`RegionJob` (to a worker, to check and score its
workbook) → :class:`CheckedRegion` (back) → :class:`ReportPlan` (main process: what to run and where its files
go), whose :class:`Task` goes to a worker → :class:`Outcome` (back) → :class:`Printed` (the PDF, main process)
→ :class:`RegionResult`. Records that cross processes pickle (spawned worker processes, Dask).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartcity_eval.batch.kernels import NO_PRELOAD, Preload

if TYPE_CHECKING:
    from smartcity_eval.results.rules import ScoreCard

OK, SKIPPED, INVALID, FAILED = "ok", "skipped", "invalid", "failed"
#: a manifest whose report is kept but no longer current (its workbook turned invalid)
STALE = "stale"
#: how a batch ended (``run-summary.json``): done, cancelled (Ctrl-C), aborted (an error of the runner's own)
ENDED, CANCELLED, ABORTED = "selesai", "dibatalkan", "gagal"
#: the kernel report notebooks run in
KERNEL = "python3"


@dataclass(frozen=True)
class RegionJob:
    """One workbook to check and score in a worker; its report inputs are saved to ``inputs_file`` when given."""

    data_dir: Path
    year: int
    stage: int
    slug: str
    previous: str
    lang: str
    inputs_file: Path | None = None


@dataclass(frozen=True)
class CheckedRegion:
    """A checked workbook: ``error`` (its problems), or its score card, profile and report inputs (path -> sha256,
    None where no file is yet); ``inputs_written``: whether the job's ``inputs_file`` was written; ``disputes``: its
    disputed items the panel has not moderated yet."""

    slug: str
    error: str = ""
    card: ScoreCard | None = None
    name: str = ""
    year: int = 0
    stage: int = 0
    inputs: dict[str, str | None] = field(default_factory=dict)
    inputs_written: bool = False
    disputes: int = 0


@dataclass(frozen=True)
class Task:
    """One notebook execution for a worker: the notebook and its parameters, executed into ``staging``, with HTML
    exported when ``formats`` asks for HTML or PDF. ``preload``: what its kernel starts with (warm kernels);
    ``warm``: false for a kernel started by papermill."""

    region: str
    notebook: Path
    parameters: dict[str, Any]
    staging: Path
    formats: tuple[str, ...]
    title: str
    kernel: str = KERNEL
    start_timeout: float = 60
    warm: bool = True
    preload: Preload = NO_PRELOAD


@dataclass(frozen=True)
class Outcome:
    """What a worker's execution gave: ``error`` ("" when fine) and its kind (notebook, kernel, runner, worker),
    kernel attempts, seconds in all and per step, resident-set high-water marks in MB, the worker's pid, the
    exported HTML, and the traceback of an error of the runner's own."""

    error: str = ""
    error_kind: str = ""
    attempts: int = 0
    duration: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    memory_mb: dict[str, float] = field(default_factory=dict)
    pid: int = 0
    html: Path | None = None
    traceback: str = ""


@dataclass(frozen=True)
class ReportPlan:
    """One report of a batch as the main process plans it: the worker's :class:`Task`, the PDF's header, where the
    report goes (``final``; ``errors_dir`` when it fails), and what its manifest records."""

    task: Task
    name: str
    header: str
    final: Path
    errors_dir: Path
    parameters: dict[str, Any]
    inputs: dict[str, str | None]
    notebook_sha256: str
    fingerprint: str

    @property
    def region(self) -> str:
        return self.task.region


@dataclass(frozen=True)
class Printed:
    """A PDF printed in the main process: the problem ("" when printed) and seconds (None when printing raised)."""

    problem: str
    seconds: float | None = None


@dataclass
class RegionResult:
    """The outcome of one region in a batch."""

    region: str
    status: str
    name: str = ""
    duration: float = 0.0
    error: str = ""
    note: str = ""
    attempts: int = 0
    folder: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    memory_mb: dict[str, float] = field(default_factory=dict)
    worker_pid: int = 0
    traceback: str = ""
    disputes: int = 0  # disputed items not moderated yet (smartcity_eval.method.moderation)
    stale: bool = False  # an old report kept, its manifest marked no longer current


@dataclass
class BatchResult:
    """Every region's result and the batch's folder; ``timings``: seconds spent planning and in all."""

    results: list[RegionResult] = field(default_factory=list)
    folder: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # caveats the operator should read (fitted or assumed weights)
    ended: str = ENDED  # ENDED, CANCELLED or ABORTED
    error: str = ""  # what aborted the batch
    unfinished: list[str] = field(default_factory=list)  # reports planned but not finished (a batch cut short)

    @property
    def exit_code(self) -> int:
        if self.ended == CANCELLED:
            return 130
        return 1 if self.ended != ENDED or any(r.status in (INVALID, FAILED) for r in self.results) else 0
