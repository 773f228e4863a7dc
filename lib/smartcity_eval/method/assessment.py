"""The in-memory form of one assessment workbook (region x year x stage), independent of Excel."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

PROGRAMME_STATUSES = ("berjalan", "belum_berjalan", "terhenti")
FINDING_KINDS = ("kekuatan", "kelemahan", "rekomendasi")


@dataclass(frozen=True)
class Profile:
    """The region profile sheet."""

    region: str
    region_code: str
    province: str
    category: str
    cohort: str
    year: int
    stage: int

    @property
    def slug(self) -> str:
        return slugify(self.region)


@dataclass
class Assessment:
    """Everything one workbook holds, as pandas objects.

    - ``assessors``: index ``code`` (A1, A2, ...), columns ``name``, ``affiliation``.
    - ``scores``: index ``item_id``, one nullable-integer column per assessor code (0-4, NA = not scored).
    - ``survey``: index ``item_id``, per-item survey averages (float 0-4) that replace the panel mean.
    - ``programmes``: columns ``pillar``, ``sub_dimension``, ``name``, ``agency``, ``quick_win`` (bool),
      ``status`` (one of :data:`PROGRAMME_STATUSES`).
    - ``action_plan``: columns ``category``, ``activity``, ``planned``, ``done`` (ints).
    - ``findings``: columns ``assessor``, ``kind`` (one of :data:`FINDING_KINDS`), ``text``.
    - ``moderation``: index ``item_id``, columns ``agreed`` (nullable integer 0-4, NA = not yet agreed) and
      ``reason``: the panel's settled scores (:mod:`smartcity_eval.method.moderation`).
    """

    profile: Profile
    assessors: pd.DataFrame
    scores: pd.DataFrame
    survey: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64", name="survey"))
    programmes: pd.DataFrame = field(default_factory=lambda: empty_programmes())
    action_plan: pd.DataFrame = field(default_factory=lambda: empty_action_plan())
    findings: pd.DataFrame = field(default_factory=lambda: empty_findings())
    source: Path | None = None
    moderation: pd.DataFrame = field(default_factory=lambda: empty_moderation())


def empty_programmes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pillar": pd.Series(dtype=str),
            "sub_dimension": pd.Series(dtype=str),
            "name": pd.Series(dtype=str),
            "agency": pd.Series(dtype=str),
            "quick_win": pd.Series(dtype=bool),
            "status": pd.Series(dtype=str),
        }
    )


def empty_action_plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": pd.Series(dtype=str),
            "activity": pd.Series(dtype=str),
            "planned": pd.Series(dtype="int64"),
            "done": pd.Series(dtype="int64"),
        }
    )


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({"assessor": pd.Series(dtype=str), "kind": pd.Series(dtype=str), "text": pd.Series(dtype=str)})


def empty_moderation() -> pd.DataFrame:
    """No item moderated: index ``item_id``, columns ``agreed`` (Int64) and ``reason``."""
    return pd.DataFrame(
        {"agreed": pd.Series(dtype="Int64"), "reason": pd.Series(dtype=str)}, index=pd.Index([], name="item_id")
    )


def slugify(text: str) -> str:
    """``Kota Padang Panjang`` -> ``kota-padang-panjang``; ``Kab. Malang`` -> ``kab-malang``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a file name from {text!r}")
    return slug
