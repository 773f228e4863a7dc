"""Shared fixtures: paths of the repository's reference data and workbook builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
SAMPLE = ROOT / "data" / "sample"

# One-region runs render in their own process in the tests (and the processes they start), and start no warm
# report server that would outlive them; tests/test_server.py turns it on for its own runs.
os.environ["SMARTCITY_EVAL_SERVER"] = "0"


@pytest.fixture(scope="session")
def malang() -> dict:
    """The published item-level results of Kab. Malang 2022 and 2023."""
    return yaml.safe_load((REFERENCE / "malang_items.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def national_csv() -> Path:
    return REFERENCE / "national_2023_sample.csv"


@pytest.fixture(scope="session")
def national_full_csv() -> Path:
    """The whole published 2023 Tahap II table (130 participants)."""
    return REFERENCE / "national_2023_full.csv"
