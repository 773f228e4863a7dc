"""The batch at scale: the plain way against the runner, side by side on the same synthetic regions.

Usage: .venv/bin/python benchmarks/bench_scale.py [--regions 50] [--year 2024] [--stage 2] [--seed 1] [--skip-plain]
       [--ingest] [--keep DIR]

Synthesises ``--regions`` kabupaten/kota (seeded) into a temporary folder, then renders every region's report
(ipynb, HTML, PDF) the two ways:

* the plain way, one region after another: the ``papermill`` CLI on the report notebook, ``jupyter nbconvert
  --to html --no-input`` on the executed notebook, ``chromium --headless --print-to-pdf`` on the HTML;
* the fast way: :func:`smartcity_eval.batch.runner.run` with its default workers (a fresh kernel per region, forked
  ahead of need with the imports done; two browsers for the batch), once before the plain way and once after it, so
  that a machine whose other load changes during the plain way's minutes weighs on both alike.

Prints seconds per report for both, their ratio (against the mean of the fast way's two runs, and against each), the
fast way's breakdown per stage (planning, waiting for a kernel, executing, HTML export, PDF printing), the
resident-set high-water marks of each worker, its kernels and their zygote, and the CPU seconds per report of each
kind of process. ``--skip-plain`` times only the fast way and prints minutes (e.g. ``--regions 514``);
``--ingest`` also times loading the synthetic workbooks into the DuckDB store (``smartcity-eval ingest``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil

from smartcity_eval.batch.params import RunSpec, notebook_path
from smartcity_eval.batch.runner import BatchResult, default_workers, run
from smartcity_eval.inputs.synth import synthesize
from smartcity_eval.reports.report import find_browser


def plain_way(data: Path, out: Path, slugs: list[str], year: int, stage: int) -> tuple[float, dict[str, float], int]:
    """Render each region with the three command-line tools in turn; (wall seconds, seconds per step, PDFs)."""
    bin_dir = Path(sys.executable).parent
    notebook = notebook_path("region_report")
    chromium = find_browser() or "chromium"
    steps: dict[str, float] = defaultdict(float)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for slug in slugs:
        nb, html, pdf = out / f"{slug}.ipynb", out / f"{slug}.html", out / f"{slug}.pdf"
        commands = {
            "papermill": [
                str(bin_dir / "papermill"),
                str(notebook),
                str(nb),
                "-p",
                "region",
                slug,
                "-p",
                "year",
                str(year),
                "-p",
                "stage",
                str(stage),
                "-p",
                "data_dir",
                str(data),
                "--no-progress-bar",
                "--cwd",
                str(notebook.parent),
            ],
            "nbconvert": [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
            "chromium": [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--print-to-pdf={pdf}",
                html.as_uri(),
            ],
        }
        for step, command in commands.items():
            t0 = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            steps[step] += time.perf_counter() - t0
    wall = time.perf_counter() - start
    return wall, dict(steps), sum(1 for s in slugs if (out / f"{s}.pdf").exists())


def _pss_mb(proc: psutil.Process) -> float:
    """Proportional set size (shared pages split between the processes sharing them), else RSS, in MB."""
    try:
        for line in Path(f"/proc/{proc.pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return proc.memory_info().rss / 2**20


def _kind(proc: psutil.Process) -> str:
    """What a process of the batch is: worker, kernel zygote (and the kernels it forks), browser, driver."""
    try:
        cmd = " ".join(proc.cmdline())
        name = proc.name()
    except psutil.Error:
        return "other"
    if "chrom" in cmd or "chrom" in name:
        return "browsers (Chromium)"
    if name == "node" or "playwright" in cmd:
        return "Playwright driver"
    if "zygote_main" in cmd:
        return "kernels (forked by the zygote)"
    if "multiprocessing" in cmd:
        return "workers (papermill, nbclient, HTML)"
    return "other"


BROWSER_KINDS = ("browsers (Chromium)", "Playwright driver")


#: seconds between two looks at the CPU seconds of the batch's processes, and looks per reading of their memory
#: (PSS: /proc/PID/smaps_rollup, about 2 ms per Chromium process, ten times a look at the CPU seconds)
SAMPLE_EVERY, MEMORY_EVERY = 0.5, 4


class TreeRSS(threading.Thread):
    """Samples the CPU seconds of this process's descendants (workers, kernels, browsers) every ``SAMPLE_EVERY``
    seconds, and their summed PSS every ``MEMORY_EVERY`` samples: a kernel's own seconds reach its zygote's
    reaped-children count when it exits."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak = {"all": 0.0, "browsers": 0.0}
        self.seen: dict[int, tuple[str, int]] = {}  # pid -> (kind, parent pid), decided at first sight
        self.cpu: dict[int, tuple[float, float]] = {}  # pid -> (own CPU seconds, its reaped children's)
        self.own = 0.0  # this thread's CPU seconds: the measuring, not the batch

    def run(self) -> None:
        me, looks = psutil.Process(), 0
        while not self.stop.wait(SAMPLE_EVERY):
            self.sample(me, memory=looks % MEMORY_EVERY == 0)
            looks += 1
        self.own = time.thread_time()

    def sample(self, me: psutil.Process, memory: bool) -> None:
        """One look at every descendant: its kind (first time), CPU seconds and (``memory``) PSS."""
        total = browsers = 0.0
        for proc in me.children(recursive=True):
            try:
                if proc.pid not in self.seen:
                    self.seen[proc.pid] = (_kind(proc), proc.ppid())
                rss = _pss_mb(proc) if memory else 0.0
                times = proc.cpu_times()
            except psutil.Error:
                continue
            self.cpu[proc.pid] = (times.user + times.system, times.children_user + times.children_system)
            total += rss
            if self.seen[proc.pid][0] in BROWSER_KINDS:
                browsers += rss
        self.peak["all"] = max(self.peak["all"], total)
        self.peak["browsers"] = max(self.peak["browsers"], browsers)

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds per kind of process; a zygote's count includes the kernels it forked and reaped."""
        out: dict[str, float] = defaultdict(float)
        for pid, (own, children) in self.cpu.items():
            kind, parent = self.seen[pid]
            if kind.startswith("kernels"):
                if self.seen.get(parent, ("",))[0] == kind:
                    continue  # a forked kernel: counted in its zygote's reaped children
                own += children
            out[kind] += own
        return dict(out)


def fast_way(data: Path, out: Path, year: int, stage: int) -> tuple[float, BatchResult, TreeRSS]:
    """``runner.run`` with default workers on every region; (wall seconds, batch, the sampler's figures)."""
    spec = RunSpec(year=year, stage=stage, data_dir=data, output_dir=out, force=True)
    sampler = TreeRSS()
    sampler.start()
    start = time.perf_counter()
    own = resource.getrusage(resource.RUSAGE_SELF)
    try:
        batch = run(spec, progress=False)
        wall = time.perf_counter() - start
    finally:
        sampler.stop.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    sampler.seen[os.getpid()] = ("main process (planning, PDF threads, commits)", os.getppid())
    main_cpu = after.ru_utime - own.ru_utime + after.ru_stime - own.ru_stime
    sampler.cpu[os.getpid()] = (main_cpu - sampler.own, 0.0)  # the sampler's own seconds are the measuring's
    return wall, batch, sampler


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else 0.0


def report_fast(batch: BatchResult, wall: float, sampler: TreeRSS) -> None:
    """The fast way's breakdown per stage and memory per worker."""
    ok = [r for r in batch.results if r.status == "ok"]
    print(f"  planning (validate + score every workbook in the workers, cohort): {batch.timings.get('plan', 0):.1f} s")
    print("  per report, mean seconds (each stage runs in parallel with the others):")
    for key, label in (
        ("kernel", "waiting for a fresh kernel"),
        ("execute", "executing the notebook"),
        ("html", "HTML export"),
        ("pdf", "PDF printing (main process)"),
    ):
        values = [r.timings.get(key, 0.0) for r in ok]
        print(f"    {label:<30} {_mean(values):6.3f}  (max {max(values, default=0):.3f})")
    per_worker: dict[int, dict[str, float]] = defaultdict(dict)
    for r in ok:
        for key, mb in r.memory_mb.items():
            per_worker[r.worker_pid][key] = max(per_worker[r.worker_pid].get(key, 0.0), mb)
    print("  peak RSS per worker (MB; the zygote's pages are shared with the kernels it forks):")
    for n, (pid, mem) in enumerate(sorted(per_worker.items()), start=1):
        total = sum(mem.values())
        parts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(mem.items()))
        print(f"    worker {n} (pid {pid}): {parts}; sum {total:.0f}")
    peak = sampler.peak
    print(
        f"  peak memory of all batch processes (summed PSS, sampled every {SAMPLE_EVERY * MEMORY_EVERY:g} s): "
        f"{peak['all']:.0f} MB, of which the main process's two printing browsers {peak['browsers']:.0f} MB"
    )
    n = max(len(batch.results), 1)
    cpu = sampler.cpu_by_kind()
    total = sum(cpu.values())
    cores = default_workers()
    print(
        f"  CPU seconds per report, by process (sampled; {total / n:.2f} in all, so {cores} cores need at least "
        f"{total / n / cores:.2f} s of wall time per report):"
    )
    for kind, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"    {kind:<48} {seconds / n:6.3f}")
    print(f"  the sampler's own CPU (in this process, left out above): {sampler.own / n:.3f} s per report")


def main() -> None:
    args = arguments()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        data, slugs = synthesised(args, root / "data")
        if args.ingest:
            time_ingest(data, root / "store.duckdb")
        if args.skip_plain:
            time_fast(data, root / "fast", args, len(slugs), "fast way")
            return
        before = time_fast(data, root / "fast-before", args, len(slugs), "fast way, before the plain way")
        plain = time_plain(data, root / "plain", slugs, args)
        after = time_fast(data, root / "fast-after", args, len(slugs), "fast way, after the plain way")
        fast = (before + after) / 2
        print(
            f"\nspeed-up (plain / fast, seconds per report; the fast way's mean of its runs before and after the "
            f"plain way): {plain / fast:.1f}x  (against each run: {plain / before:.1f}x, {plain / after:.1f}x)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", type=int, default=50)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--stage", type=int, default=2, choices=(1, 2))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-plain", action="store_true", help="time only the fast way (prints minutes)")
    parser.add_argument("--ingest", action="store_true", help="also time `smartcity-eval ingest` of the data")
    parser.add_argument("--keep", type=Path, help="synthesise and write into this folder and keep it")
    return parser.parse_args()


def synthesised(args: argparse.Namespace, data: Path) -> tuple[Path, list[str]]:
    """The synthetic regions written into ``data``, and their slugs; prints the machine and the data."""
    t0 = time.perf_counter()
    synthesize(args.regions, args.year, args.stage, args.seed, data)
    slugs = sorted(p.stem for p in (data / str(args.year) / f"tahap-{args.stage}").glob("*.xlsx"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"default workers: {default_workers()}"
    )
    print(
        f"data: {len(slugs)} synthetic regions, {args.year} tahap {args.stage}, seed {args.seed} "
        f"(synthesised in {time.perf_counter() - t0:.1f} s)"
    )
    return data, slugs


def time_ingest(data: Path, db: Path) -> None:
    t0 = time.perf_counter()
    command = [str(Path(sys.executable).parent / "smartcity-eval"), "ingest", str(data), "--db", str(db)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    print(f"ingest into DuckDB: {time.perf_counter() - t0:.1f} s")


def time_plain(data: Path, out: Path, slugs: list[str], args: argparse.Namespace) -> float:
    """:func:`plain_way` on every region, printed; its seconds per report."""
    wall, steps, pdfs = plain_way(data, out, slugs, args.year, args.stage)
    plain = wall / len(slugs)
    print(f"\nplain way (papermill, nbconvert, chromium CLIs, one region after another): {wall:.1f} s, {pdfs} PDFs")
    parts = ", ".join(f"{k} {v / len(slugs):.2f}" for k, v in steps.items())
    print(f"  seconds per report: {plain:.2f}  ({parts})")
    return plain


def time_fast(data: Path, out: Path, args: argparse.Namespace, regions: int, label: str) -> float:
    """:func:`fast_way` on every region, printed with its breakdown; its seconds per report."""
    wall, batch, sampler = fast_way(data, out, args.year, args.stage)
    ok = sum(1 for r in batch.results if r.status == "ok")
    pdfs = sum(1 for r in batch.results if r.folder and (Path(r.folder) / "report.pdf").exists())
    print(
        f"\n{label} (runner.run, {default_workers()} workers): {wall:.1f} s = {wall / 60:.2f} min, "
        f"{ok} reports ok, {pdfs} PDFs"
    )
    print(f"  seconds per report: {wall / regions:.2f}")
    report_fast(batch, wall, sampler)
    return wall / regions


if __name__ == "__main__":
    main()
