"""Where the report notebooks live: the repository's ``notebooks/``, or the folder ``SMARTCITY_EVAL_NOTEBOOKS``
names. Known without importing the run-file machinery (:mod:`smartcity_eval.batch.params`), so that a one-report
run can start its kernel in that folder first (:mod:`smartcity_eval.batch.single`)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = {"region_report": "region_report.ipynb", "overview": "overview.ipynb"}


def notebooks_dir() -> Path:
    """Where the report notebooks live (``SMARTCITY_EVAL_NOTEBOOKS`` or the repository's ``notebooks/``)."""
    return Path(os.environ.get("SMARTCITY_EVAL_NOTEBOOKS", ROOT / "notebooks"))
