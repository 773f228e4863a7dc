"""Where a region's figures come from: last year's result, its trajectory, and every file its report reads.

:func:`report_inputs` is the one list of a report's inputs: the batch fingerprints it to decide "unchanged, skip"
and the report's provenance appendix prints it, so the two can never disagree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

from smartcity_eval.common.layout import DataLayout
from smartcity_eval.common.tables import sha256
from smartcity_eval.inputs.validation import validate
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import slugify
from smartcity_eval.method.scoring import ScoreCard, score_assessment
from smartcity_eval.results import rules
from smartcity_eval.results.national import read_published

PREVIOUS_MODES = ("auto", "workbook", "published", "none")
DIMS = list(mth.DIMENSION_KEYS)


@dataclass
class Previous:
    """Last year's result of a region: exact final from a workbook, or 2-decimal values from a table.

    ``final`` is None when there is none or the region did not take part; ``path`` is the file consulted.
    """

    final: Fraction | None
    dimensions: pd.Series | None
    source: str | None  # 'workbook' | 'published' | None
    path: Path | None = None
    card: ScoreCard | None = None  # last year's card when it comes from a workbook
    published: Fraction | None = None  # last year's final in last year's published table, when there is one

    @property
    def shown(self) -> Decimal | None:
        """Last year's final as the report shows it (:func:`rules.last_year_shown`)."""
        return rules.last_year_shown(self.final, self.published)

    @property
    def differs(self) -> bool:
        """Whether the figure shown differs from last year's final recomputed from the workbook."""
        return self.source == rules.WORKBOOK and self.shown != rules.shown(self.final)


def previous_result(data_dir: Path, year: int, region: str, mode: str = "auto") -> Previous:
    """Last year's Tahap II result of ``region`` (slug) by :func:`rules.last_year`: its workbook, else the table.

    ``mode`` is ``auto``, ``workbook`` (only the workbook), ``published`` (only the table) or ``none``.
    """
    if mode not in PREVIOUS_MODES:
        raise ValueError(f"previous={mode!r}; expected {', '.join(PREVIOUS_MODES)}")
    layout = DataLayout(Path(data_dir))
    if mode == "none":
        return Previous(None, None, None)
    table = _from_table(layout.published(year - 1, 2), region) if mode in ("auto", "published") else None
    if mode in ("auto", "workbook") and year - 1 in mth.years():
        found = _from_workbook(layout.workbook(year - 1, 2, region), year - 1)
        if found is not None:
            found.published = table.final if table is not None and found.final is not None else None
            return found
    return table if table is not None else Previous(None, None, None)


def _from_workbook(path: Path, year: int) -> Previous | None:
    if not path.exists():
        return None
    result = validate(path)
    if result.assessment is None:
        return None
    card = score_assessment(result.assessment, mth.get(year))
    final, source = rules.last_year((card.nilai_final, rules.participant(card.dimensions)), None)
    return Previous(final, card.dimensions if final is not None else None, source, path, card)


def _from_table(path: Path, region: str) -> Previous:
    if not path.exists():
        return Previous(None, None, None)
    table = read_published(path)
    match = table[table["region"].map(slugify) == region]
    if match.empty:
        return Previous(None, None, None, path)
    row = match.iloc[0]
    dims = pd.Series({k: row[k] for k in DIMS if not rules.missing(row[k])}, dtype=object)
    final, source = rules.last_year(None, (row["nilai_final"], rules.participant(dims, row["nilai_final"])))
    return Previous(final, dims if final is not None and len(dims) else None, source, path, published=final)


def trajectory(data_dir: Path, region: str, year: int, stage: int) -> list[tuple[int, int, Path]]:
    """Every (year, stage, workbook) of ``region`` up to this one, oldest first: what its trajectory chart reads."""
    layout = DataLayout(Path(data_dir))
    places = [(y, s, layout.workbook(y, s, region)) for y in mth.years() for s in (1, 2) if (y, s) <= (year, stage)]
    return [(y, s, p) for y, s, p in places if p.exists()]


def _candidates(data_dir: Path, region: str, year: int, stage: int, previous: str) -> list[Path]:
    """Every file a report of ``region`` may read, in the order the provenance lists them."""
    layout = DataLayout(Path(data_dir))
    places = [layout.workbook(y, s, region) for y in mth.years() for s in (2, 1) if (y, s) <= (year, stage)]
    places.sort(key=lambda p: p != layout.workbook(year, stage, region))  # this report's own workbook first
    tables = [layout.published(year, stage)]
    if previous in ("auto", "published"):
        tables.append(layout.published(year - 1, 2))
    years = sorted({year, *(y for y in mth.years() if y < year)}, reverse=True)
    return [*places, *tables, *(mth.get(y).path for y in years if y in mth.years())]


def report_inputs(data_dir: Path, region: str, year: int, stage: int, previous: str = "auto") -> dict[str, str | None]:
    """Every file a region's report depends on: path -> sha256, or None for a place that holds no file yet.

    The report's own workbook, every earlier workbook its trajectory reads (Tahap I included), this year's and last
    year's published tables, and the method files. A file that appears where there was none changes the result as
    surely as an edited one, so empty places are part of the list; the provenance prints the files that exist.
    """
    return {str(p): (sha256(p) if p.is_file() else None) for p in _candidates(data_dir, region, year, stage, previous)}


def existing(inputs: dict[str, str | None]) -> list[tuple[str, str]]:
    """The (path, sha256) of the inputs that exist, in order."""
    return [(path, sha) for path, sha in inputs.items() if sha is not None]


def document_fingerprint(inputs: dict[str, str | None]) -> str:
    """A short fingerprint of a report's inputs' contents a recipient can quote ("3F2A-91C0-77B1")."""
    digest = hashlib.sha256("\n".join(sha for _, sha in existing(inputs)).encode()).hexdigest()[:12].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 12, 4))
