"""Time the sample batch: every sample region's Tahap II report (ipynb, HTML, PDF), rendered from scratch.

Usage: .venv/bin/python benchmarks/bench_sample_batch.py [--year 2024] [--workers N] [--formats ipynb,html,pdf]
Prints the wall time of the batch and seconds per report.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from smartcity_eval.batch.params import ROOT, RunSpec
from smartcity_eval.batch.runner import default_workers, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--stage", type=int, default=2)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--formats", default="ipynb,html,pdf")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as out:
        spec = RunSpec(
            year=args.year,
            stage=args.stage,
            data_dir=args.data,
            output_dir=Path(out),
            workers=args.workers,
            formats=tuple(args.formats.split(",")),
            force=True,
        )
        start = time.perf_counter()
        batch = run(spec, progress=False)
        wall = time.perf_counter() - start
    done = [r for r in batch.results if r.status == "ok"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"batch: {args.year} tahap {args.stage}, {len(done)} reports ({args.formats}), {args.workers} workers")
    print(f"wall time: {wall:.1f} s")
    if done:
        print(f"seconds per report (wall / reports): {wall / len(done):.2f}")
        print(f"mean execution time per region in its worker: {sum(r.duration for r in done) / len(done):.2f} s")


if __name__ == "__main__":
    main()
