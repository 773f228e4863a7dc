"""The embedded evaluation store (DuckDB): every assessment workbook and published national table, queryable.

This module is the store's front: the query helpers (:func:`region_history`, :func:`cohort_table`,
:func:`dimension_across_regions`, :func:`findings`, :func:`item_results`) return pandas DataFrames, and it
re-exports what callers need from the two modules behind it: :mod:`smartcity_eval.results.schema` (tables, views,
:func:`connect`, :func:`snapshot`) and :mod:`smartcity_eval.results.loading` (:func:`ingest` and the ``ingest``
command). Tables and columns: ``docs/store.md``.
"""

from __future__ import annotations

import difflib
from typing import Any

import duckdb
import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.method.methodology import DIMENSION_KEYS
from smartcity_eval.results import rules
from smartcity_eval.results.loading import (
    PUBLISHED,
    WORKBOOK,
    DataDirError,
    FileOutcome,
    IngestReport,
    add_parser,
    evaluation_id,
    ingest,
    question_rows,
)
from smartcity_eval.results.schema import (
    COLUMNS,
    DEFAULT_DB,
    EVALUATION_TABLES,
    SCHEMA_VERSION,
    TABLES,
    VIEWS,
    WAIT_SECONDS,
    StoreError,
    connect,
    dump,
    snapshot,
    store_error_message,
)

__all__ = [
    "COHORT_COLUMNS",
    "COLUMNS",
    "DEFAULT_DB",
    "EVALUATION_TABLES",
    "PUBLISHED",
    "SCHEMA_VERSION",
    "TABLES",
    "VIEWS",
    "WAIT_SECONDS",
    "WORKBOOK",
    "DataDirError",
    "FileOutcome",
    "IngestReport",
    "StoreError",
    "UnknownRegion",
    "add_parser",
    "cohort_table",
    "connect",
    "dimension_across_regions",
    "dump",
    "evaluation_id",
    "findings",
    "ingest",
    "item_results",
    "question_rows",
    "region_history",
    "snapshot",
    "store_error_message",
]


class UnknownRegion(i18n.LocalizedError, LookupError):
    """No evaluation of that region is in the store: a key of the ``store`` messages, with similar regions."""

    section = "store"


_SCORE_COLUMNS = list(DIMENSION_KEYS)


def _scorecards(con: duckdb.DuckDBPyConnection, where: str, params: list[Any], order: str = "region") -> pd.DataFrame:
    sql = f"SELECT * FROM scorecards WHERE preferred AND {where} ORDER BY {order}"  # noqa: S608 - constant clauses
    return con.execute(sql, params).df()


def _unknown(con: duckdb.DuckDBPyConnection, region_slug: str) -> UnknownRegion:
    """The error for a region the store does not hold, naming up to three regions whose slug is similar."""
    slugs = {slug: name for slug, name in con.execute("SELECT slug, region FROM regions").fetchall()}
    close = difflib.get_close_matches(region_slug, list(slugs), n=3, cutoff=0.8)
    if not close:
        return UnknownRegion("unknown_region", region=region_slug)
    similar = ", ".join(f"{slugs[s]} ({s})" for s in close)
    return UnknownRegion("unknown_region_like", region=region_slug, similar=similar)


def region_history(con: duckdb.DuckDBPyConnection, region_slug: str) -> pd.DataFrame:
    """One row per year and stage of a region (workbook preferred over published), oldest first.

    Columns: ``year, stage, category, source, participant, baseline, output, outcome, impact, quick_win,
    kolaborasi, nilai_final, improvement`` (scores rounded to 2 decimals; NaN where there is none). Raises
    :class:`UnknownRegion` (naming similar regions) when the store holds no evaluation of ``region_slug``.
    """
    frame = _scorecards(con, "region_slug = ?", [region_slug], "year, stage")
    if frame.empty:
        raise _unknown(con, region_slug)
    frame["participant"] = frame["participant"].fillna(False).astype(bool)
    cols = ["year", "stage", "category", "source", "participant", *_SCORE_COLUMNS, "nilai_final", "improvement"]
    return frame[cols].reset_index(drop=True)


COHORT_COLUMNS = [
    "region",
    "province",
    "category",
    *_SCORE_COLUMNS,
    "nilai_final",
    "improvement",
    "participant",
    "rank_national",
    "rank_category",
    "rank_province",
    "source",
    "region_slug",
    "evaluation_id",
    "from_rounded_inputs",
]


def cohort_table(con: duckdb.DuckDBPyConnection, year: int, stage: int, category: str | None = None) -> pd.DataFrame:
    """The national table of one year and stage, one row per region (workbook preferred over published).

    Columns :data:`COHORT_COLUMNS`: scores and finals rounded to 2 decimals; ranks and row order by
    :func:`rules.ranked` (national, per category, per province; always over the whole cohort).
    ``category`` keeps only that category's rows.
    """
    frame = _scorecards(con, "year = ? AND stage = ?", [int(year), int(stage)])
    frame["participant"] = frame["participant"].fillna(False).astype(bool)
    frame = rules.ranked(frame)
    if category is not None:
        frame = frame[frame["category"] == category.strip().upper()]
    return frame[COHORT_COLUMNS].reset_index(drop=True)


def dimension_across_regions(con: duckdb.DuckDBPyConnection, year: int, stage: int, dimension: str) -> pd.DataFrame:
    """One evaluation dimension's score in every participating region of a year and stage, best first.

    Columns ``region, province, category, source, score`` (exact mean, float), ``score_rounded``, ``rank``
    (ties shared), ``region_slug``. Non-participants and regions without that dimension are left out.
    """
    if dimension not in DIMENSION_KEYS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {', '.join(DIMENSION_KEYS)}")
    frame = con.execute(
        """
        SELECT s.region, s.province, s.category, s.source, d.score, d.score_rounded, s.region_slug
        FROM scorecards s JOIN dimension_scores d USING (evaluation_id)
        WHERE s.preferred AND s.participant AND s.year = ? AND s.stage = ? AND d.dimension = ?""",
        [int(year), int(stage), dimension],
    ).df()
    frame["rank"] = rules.ranks(frame["score"], pd.Series(True, index=frame.index))
    frame = frame.sort_values(["rank", "region"], kind="stable")
    return frame[
        ["region", "province", "category", "source", "score", "score_rounded", "rank", "region_slug"]
    ].reset_index(drop=True)


def findings(con: duckdb.DuckDBPyConnection, region_slug: str, year: int, stage: int) -> pd.DataFrame:
    """The assessors' strengths, weaknesses and recommendations for one evaluation, in workbook order.

    Columns ``assessor, name, affiliation, kind, text`` (empty when only a published row exists).
    """
    return con.execute(
        """
        SELECT f.assessor, a.name, a.affiliation, f.kind, f.text
        FROM findings f
        JOIN evaluations e USING (evaluation_id)
        LEFT JOIN assessors a ON a.evaluation_id = f.evaluation_id AND a.code = f.assessor
        WHERE e.source = 'workbook' AND e.region_slug = ? AND e.year = ? AND e.stage = ?
        ORDER BY f.seq""",
        [region_slug, int(year), int(stage)],
    ).df()


ITEM_COLUMNS = [
    "region",
    "province",
    "category",
    "item_id",
    "dimension",
    "pillar",
    "sub_dimension",
    "indicator",
    "question",
    "question_en",
    "value",
    "scores",
    "assessors",
    "spread",
    "region_slug",
]


def item_results(con: duckdb.DuckDBPyConnection, year: int, stage: int) -> pd.DataFrame:
    """Every scored item of the workbook evaluations of a year and stage, with its question (view ``item_results``).

    Columns :data:`ITEM_COLUMNS`: ``value`` the item's value (panel mean or survey average), ``scores`` the
    assessors' scores (A1, A2, … order), ``spread`` their range (max − min; NaN without assessor scores).
    Ordered by region and item id.
    """
    return con.execute(
        f"""
        SELECT {", ".join(ITEM_COLUMNS)} FROM item_results
        WHERE year = ? AND stage = ? ORDER BY region, item_id""",  # noqa: S608 - constant columns
        [int(year), int(stage)],
    ).df()
