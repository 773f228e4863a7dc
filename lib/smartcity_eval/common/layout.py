"""Where files live: the data folder's layout, the output folder's layout and the default paths, decided once.

Data folder (given, or ``data/sample`` under the current folder)::

    <data>/<year>/tahap-<stage>/<region-slug>.xlsx      one assessment workbook per region, year and stage
    <data>/published/national-<year>-tahap-<stage>.csv  a published national results table

Output folder (given, or ``outputs`` under the current folder)::

    <outputs>/<year>/tahap-<stage>/<region-slug>/       one region's report (ipynb, HTML, PDF, scores, manifest)
    <outputs>/<year>/tahap-<stage>/cohort.csv           the cohort the batch's reports were compared with
    <outputs>/smartcity.duckdb                          the evaluation store

Default paths are relative to the current folder, never to where the package is installed. Nothing else in the
package spells these names out: the batch, the cohort, the store, validation and the reports call this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data/sample")
DEFAULT_OUTPUT_DIR = Path("outputs")
DEFAULT_DB = DEFAULT_OUTPUT_DIR / "smartcity.duckdb"

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
STAGES = (1, 2)
#: ``<year>/tahap-<stage>/<slug>.xlsx`` at the end of a path (either separator)
WORKBOOK_PLACE = re.compile(r"(?P<year>\d{4})[/\\]tahap-(?P<stage>[12])[/\\](?P<slug>[^/\\]+)\.xlsx$")
PUBLISHED_NAME = re.compile(r"^national-(?P<year>\d{4})-tahap-(?P<stage>[12])\.csv$")


def stage_folder(stage: int) -> str:
    """``tahap-2``."""
    return f"tahap-{int(stage)}"


def check_slug(region: str) -> str:
    """``region`` when it is a slug (lower-case letters, digits and '-'), else ValueError: it names files."""
    if not SLUG.fullmatch(region):
        raise ValueError(f"region {region!r} is not a slug (lower-case letters, digits and '-')")
    return region


def skipped(path: Path) -> bool:
    """Hidden files and folders (``.name``) and Excel's lock files (``~$name.xlsx``) are not data."""
    return any(part.startswith((".", "~$")) for part in path.parts)


@dataclass(frozen=True)
class DataLayout:
    """The files of one data folder."""

    root: Path

    def workbook_dir(self, year: int, stage: int) -> Path:
        """``<root>/<year>/tahap-<stage>``."""
        return Path(self.root) / str(int(year)) / stage_folder(stage)

    def workbook(self, year: int, stage: int, region: str) -> Path:
        """The workbook of one region; ``region`` must be a slug (it cannot leave the folder)."""
        return self.workbook_dir(year, stage) / f"{check_slug(region)}.xlsx"

    def published(self, year: int, stage: int) -> Path:
        """``<root>/published/national-<year>-tahap-<stage>.csv``."""
        return Path(self.root) / "published" / f"national-{int(year)}-{stage_folder(stage)}.csv"

    def workbooks(self, year: int, stage: int) -> list[Path]:
        """The workbooks of one year and stage, sorted by region slug."""
        folder = self.workbook_dir(year, stage)
        return [p for p in sorted(folder.glob("*.xlsx")) if p.is_file() and not skipped(p.relative_to(folder))]

    def regions(self, year: int, stage: int) -> list[str]:
        """The region slugs that have a workbook for ``year`` and ``stage``."""
        return [p.stem for p in self.workbooks(year, stage)]

    def all_workbooks(self) -> list[Path]:
        """Every workbook at its place (``<year>/tahap-<stage>/<slug>.xlsx``): what a batch can load, and no stray
        file elsewhere in the folder."""
        root = Path(self.root)
        found = [p for p in root.glob("[0-9][0-9][0-9][0-9]/tahap-[12]/*.xlsx") if p.is_file()]
        return sorted(p for p in found if WORKBOOK_PLACE.search(p.as_posix()) and not skipped(p.relative_to(root)))

    def published_tables(self) -> list[Path]:
        """Every ``published/*.csv`` (a badly named one is reported by whoever reads it)."""
        folder = Path(self.root) / "published"
        return [p for p in sorted(folder.glob("*.csv")) if p.is_file() and not skipped(p.relative_to(folder))]


def published_key(path: Path) -> tuple[int, int] | None:
    """(year, stage) of a published table's file name, or None when the name is not of the layout."""
    match = PUBLISHED_NAME.match(Path(path).name)
    return None if match is None else (int(match["year"]), int(match["stage"]))


@dataclass(frozen=True)
class OutputLayout:
    """The files a batch writes under one output folder."""

    root: Path

    def batch_dir(self, year: int, stage: int) -> Path:
        """``<root>/<year>/tahap-<stage>``."""
        return Path(self.root) / str(int(year)) / stage_folder(stage)

    def cohort_csv(self, year: int, stage: int) -> Path:
        """The cohort a batch's reports are compared with."""
        return self.batch_dir(year, stage) / "cohort.csv"
