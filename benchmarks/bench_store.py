"""Scale figures for the evaluation store and the overview: ingest of N synthetic regions, queries, overview.

Usage: .venv/bin/python benchmarks/bench_store.py [--regions 514] [--years 2023 2024] [--seed 1]
Synthesises N regions for each year (plus the year before the first), ingests them into a fresh DuckDB store,
ingests again (nothing to do), then times the common queries and building the overview's cohort table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from smartcity_eval.inputs.synth import synthesize
from smartcity_eval.results import store
from smartcity_eval.results.cohort import build_cohort


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<58}{time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=514)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        data, db = Path(tmp) / "data", Path(tmp) / "store.duckdb"
        for i, year in enumerate(args.years):
            timed(
                f"synth {args.regions} regions, {year}" + (" (+ previous year)" if i == 0 else ""),
                synthesize,
                args.regions,
                year,
                2,
                args.seed,
                data,
                i == 0,
            )
        files = len(list(data.rglob("*.xlsx")))
        report = timed(f"ingest {files} workbooks into a new store", store.ingest, data, db)
        assert report.ok, report.format("en")
        timed("ingest again (every file unchanged)", store.ingest, data, db)
        con = store.connect(db)
        year = args.years[-1]
        table = timed(f"cohort_table({year}, 2): {args.regions} rows, ranked", store.cohort_table, con, year, 2)
        slug = table["region_slug"].iloc[0]
        timed("region_history(one region)", store.region_history, con, slug)
        timed("dimension_across_regions(outcome)", store.dimension_across_regions, con, year, 2, "outcome")
        timed(
            "SQL: mean Nilai Final per year and category",
            lambda: con.sql(
                "SELECT e.year, e.category, avg(f.nilai_final) FROM evaluations e "
                "JOIN finals f USING (evaluation_id) GROUP BY ALL"
            ).df(),
        )
        con.close()
        cohort = timed(f"overview cohort from {args.regions} workbooks (build_cohort)", build_cohort, data, year, 2)
        assert len(cohort) == args.regions
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
