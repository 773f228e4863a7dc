"""Start-up cost of the commands an assessor types, side by side: medians of N fresh processes each.

Usage: .venv/bin/python benchmarks/bench_startup.py [--runs 7] [--workbook data/sample/2024/tahap-2/...xlsx]

Runs, round-robin so that a busy machine slows every command alike: ``smartcity-eval --help``, ``smartcity-eval
validate`` and ``smartcity-eval score`` of one sample workbook, ``python -c "import nbformat"`` (what every worker
and the run-file check pay before any work) and ``papermill --help``. Prints for each the median wall seconds, the
median CPU seconds (user + system of the child) and the limit the project sets, with the machine, its load and the
date. ``tests/test_startup.py`` checks which modules these commands import; this script measures how long they take.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "2024" / "tahap-2" / "kota-padang-panjang.xlsx"


def commands(workbook: Path) -> dict[str, tuple[list[str], float | None]]:
    """Label -> (command line, limit in wall seconds or None)."""
    bin_dir = Path(sys.executable).parent
    cli = str(bin_dir / "smartcity-eval")
    return {
        "smartcity-eval --help": ([cli, "--help"], 0.5),
        f"smartcity-eval validate {workbook.name}": ([cli, "validate", str(workbook)], 1.0),
        f"smartcity-eval score {workbook.name}": ([cli, "score", str(workbook)], 1.0),
        'python -c "import nbformat"': ([sys.executable, "-c", "import nbformat"], None),
        "papermill --help": ([str(bin_dir / "papermill"), "--help"], None),
    }


def timed_run(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``argv``; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what platform knows elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def print_header(runs: int) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"date: {datetime.now().astimezone().isoformat(timespec='minutes')}")
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}")
    print(f"load average before (1, 5, 15 min): {load}")
    print(f"medians of {runs} runs each, round-robin\n")


def print_table(results: dict[str, list[tuple[float, float]]], limits: dict[str, float | None]) -> None:
    width = max(map(len, results)) + 2
    print(f"{'command':<{width}}{'wall s':>8}{'CPU s':>8}{'limit s':>9}  verdict")
    for label, samples in results.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        limit = limits[label]
        verdict = "" if limit is None else ("ok" if wall <= limit else "OVER")
        limit_text = "" if limit is None else f"{limit:.1f}"
        print(f"{label:<{width}}{wall:8.2f}{cpu:8.2f}{limit_text:>9}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workbook", type=Path, default=SAMPLE)
    args = parser.parse_args()
    todo = commands(args.workbook.resolve())
    print_header(args.runs)
    results: dict[str, list[tuple[float, float]]] = {label: [] for label in todo}
    for _ in range(args.runs):
        for label, (argv, _limit) in todo.items():
            results[label].append(timed_run(argv))
    print_table(results, {label: limit for label, (_argv, limit) in todo.items()})
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
