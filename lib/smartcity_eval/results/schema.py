"""The evaluation store's schema and connections: tables, views, versions, and opening the DuckDB file safely.

DuckDB lets one process write a file *or* several read it. :func:`connect` opens the file itself (read-only by
default; ``read_only=False`` creates and upgrades it); :func:`snapshot` copies the whole store into memory and lets
the file go at once, so an analyst's notebook never holds it: another analyst and an ingest can use it meanwhile.
Both wait (``wait`` seconds) while another process holds the lock, say so once through ``on_wait``, and raise a
:class:`StoreError` in the user's language, never DuckDB's own text. Tables and columns: ``docs/store.md``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG
from smartcity_eval.common.layout import DEFAULT_DB

SCHEMA_VERSION = "2"
#: older versions that a writing connection upgrades in place (version 2 added ``questions`` and ``item_results``)
UPGRADABLE = ("1",)
#: how long to wait for a store that another process is writing, by default, in seconds
WAIT_SECONDS = 30.0

#: table -> [(column, SQL type)], in order; the single source of the DDL and of the bulk inserts
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "meta": [("key", "VARCHAR"), ("value", "VARCHAR")],
    "files": [
        ("path", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("loaded_at", "TIMESTAMP"),
        ("status", "VARCHAR"),
        ("message", "VARCHAR"),
    ],
    "regions": [("region_code", "VARCHAR"), ("region", "VARCHAR"), ("slug", "VARCHAR"), ("province", "VARCHAR")],
    "evaluations": [
        ("evaluation_id", "VARCHAR"),
        ("region_slug", "VARCHAR"),
        ("region_code", "VARCHAR"),
        ("year", "INTEGER"),
        ("stage", "INTEGER"),
        ("category", "VARCHAR"),
        ("cohort", "VARCHAR"),
        ("source", "VARCHAR"),
        ("source_file", "VARCHAR"),
        ("sha256", "VARCHAR"),
    ],
    "assessors": [("evaluation_id", "VARCHAR"), ("code", "VARCHAR"), ("name", "VARCHAR"), ("affiliation", "VARCHAR")],
    "item_scores": [
        ("evaluation_id", "VARCHAR"),
        ("item_id", "VARCHAR"),
        ("dimension", "VARCHAR"),
        ("assessor", "VARCHAR"),
        ("score", "INTEGER"),
    ],
    "item_values": [
        ("evaluation_id", "VARCHAR"),
        ("item_id", "VARCHAR"),
        ("dimension", "VARCHAR"),
        ("value", "DOUBLE"),
    ],
    "dimension_scores": [
        ("evaluation_id", "VARCHAR"),
        ("dimension", "VARCHAR"),
        ("score", "DOUBLE"),
        ("score_rounded", "DECIMAL(4,2)"),
    ],
    "finals": [
        ("evaluation_id", "VARCHAR"),
        ("nilai_final", "DOUBLE"),
        ("nilai_final_rounded", "DECIMAL(4,2)"),
        ("previous_final", "DOUBLE"),
        ("improvement", "DECIMAL(4,2)"),
        ("participant", "BOOLEAN"),
        ("from_rounded_inputs", "BOOLEAN"),
        ("nilai_final_exact", "VARCHAR"),
        ("previous_source", "VARCHAR"),
    ],
    "programmes": [
        ("evaluation_id", "VARCHAR"),
        ("pillar", "VARCHAR"),
        ("sub_dimension", "VARCHAR"),
        ("name", "VARCHAR"),
        ("agency", "VARCHAR"),
        ("quick_win", "BOOLEAN"),
        ("status", "VARCHAR"),
        ("seq", "INTEGER"),
    ],
    "action_plan": [
        ("evaluation_id", "VARCHAR"),
        ("category", "VARCHAR"),
        ("activity", "VARCHAR"),
        ("planned", "INTEGER"),
        ("done", "INTEGER"),
        ("seq", "INTEGER"),
    ],
    "findings": [
        ("evaluation_id", "VARCHAR"),
        ("assessor", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("text", "VARCHAR"),
        ("seq", "INTEGER"),
    ],
    # the question bank of every methodology year (method/years/<year>.yaml), so item ids explain themselves in SQL
    "questions": [
        ("year", "INTEGER"),
        ("item_id", "VARCHAR"),
        ("dimension", "VARCHAR"),
        ("pillar", "VARCHAR"),
        ("sub_dimension", "VARCHAR"),
        ("element", "VARCHAR"),
        ("indicator", "VARCHAR"),
        ("question", "VARCHAR"),
        ("question_en", "VARCHAR"),
        ("categories", "VARCHAR"),
    ],
}
CONSTRAINTS = {
    "meta": "PRIMARY KEY (key)",
    "files": "PRIMARY KEY (path), CHECK (kind IN ('workbook', 'published'))",
    "regions": "PRIMARY KEY (slug)",
    "evaluations": "PRIMARY KEY (evaluation_id), CHECK (source IN ('workbook', 'published'))",
    "finals": "PRIMARY KEY (evaluation_id)",
    "item_scores": "CHECK (score BETWEEN 0 AND 4)",
    "questions": "PRIMARY KEY (year, item_id)",
}
#: tables whose rows belong to one evaluation (deleted with it)
EVALUATION_TABLES = (
    "assessors",
    "item_scores",
    "item_values",
    "dimension_scores",
    "finals",
    "programmes",
    "action_plan",
    "findings",
)
#: every table of loaded data, in dump order (``questions`` is the methodology's, rewritten by every ingest)
TABLES = ("files", "regions", "evaluations", *EVALUATION_TABLES)

VIEWS = {
    # one row per evaluation (both sources), dimension scores side by side (rounded), with `preferred` true
    # on the row the API uses for a region x year x stage: the workbook when there is one, else the published row
    "scorecards": """
WITH dims AS (
  SELECT evaluation_id,
         max(score_rounded) FILTER (WHERE dimension = 'baseline') AS baseline,
         max(score_rounded) FILTER (WHERE dimension = 'output') AS output,
         max(score_rounded) FILTER (WHERE dimension = 'outcome') AS outcome,
         max(score_rounded) FILTER (WHERE dimension = 'impact') AS impact,
         max(score_rounded) FILTER (WHERE dimension = 'quick_win') AS quick_win,
         max(score_rounded) FILTER (WHERE dimension = 'kolaborasi') AS kolaborasi
  FROM dimension_scores GROUP BY evaluation_id
), ranked AS (
  SELECT e.*, row_number() OVER (PARTITION BY region_slug, year, stage
                                 ORDER BY CASE source WHEN 'workbook' THEN 0 ELSE 1 END, evaluation_id) = 1
              AS preferred
  FROM evaluations e
)
SELECT r.evaluation_id, r.region_slug, g.region, g.province, r.region_code, r.year, r.stage, r.category,
       r.cohort, r.source, r.preferred, d.baseline, d.output, d.outcome, d.impact, d.quick_win, d.kolaborasi,
       f.nilai_final AS nilai_final_unrounded, f.nilai_final_rounded AS nilai_final, f.improvement,
       f.participant, f.from_rounded_inputs, r.source_file
FROM ranked r
JOIN finals f USING (evaluation_id)
LEFT JOIN dims d USING (evaluation_id)
LEFT JOIN regions g ON g.slug = r.region_slug""",
    # one row per workbook evaluation and scored item: the item's value (panel mean, or the impact survey's average),
    # every assessor's score, their spread, and the item's place and question in the year's question bank
    "item_results": """
WITH panel AS (
  SELECT evaluation_id, item_id, list(score ORDER BY assessor) AS scores, count(*) AS assessors,
         max(score) - min(score) AS spread
  FROM item_scores GROUP BY evaluation_id, item_id
)
SELECT e.evaluation_id, e.region_slug, g.region, g.province, e.year, e.stage, e.category, v.item_id,
       v.dimension, q.pillar, q.sub_dimension, q.element, q.indicator, q.question, q.question_en, v.value,
       p.scores, p.assessors, p.spread
FROM item_values v
JOIN evaluations e USING (evaluation_id)
LEFT JOIN regions g ON g.slug = e.region_slug
LEFT JOIN panel p USING (evaluation_id, item_id)
LEFT JOIN questions q ON q.year = e.year AND q.item_id = v.item_id""",
}

T = i18n.section("store")
_T = TypeVar("_T")
_HOLDER = re.compile(r"\(PID (\d+)\)")


class StoreError(i18n.LocalizedError, RuntimeError):
    """The store cannot be opened (missing, in use, or of another schema version): a key of the ``store`` messages."""

    section = "store"


# --------------------------------------------------------------------------- schema


def ddl() -> list[str]:
    """Every table (``CREATE TABLE IF NOT EXISTS``) and view (``CREATE OR REPLACE VIEW``) of the current schema."""
    statements = []
    for table, cols in COLUMNS.items():
        body = ", ".join(f"{c} {t}" for c, t in cols)
        if table in CONSTRAINTS:
            body += ", " + CONSTRAINTS[table]
        statements.append(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
    statements += [f"CREATE OR REPLACE VIEW {name} AS {sql}" for name, sql in VIEWS.items()]
    return statements


def _transaction(con: duckdb.DuckDBPyConnection, statements: Iterable[tuple[str, list[Any]]]) -> None:
    con.begin()
    try:
        for sql, params in statements:
            con.execute(sql, params)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _version(con: duckdb.DuckDBPyConnection, catalog: str = "") -> str | None:
    """The store's schema version; None when it has no ``meta`` table (a new file)."""
    prefix = f"{catalog}." if catalog else ""
    where = "table_name = 'meta'" + (f" AND table_catalog = '{catalog}'" if catalog else "")
    has_meta = con.execute(f"SELECT count(*) FROM information_schema.tables WHERE {where}").fetchone()  # noqa: S608
    if not has_meta or not has_meta[0]:
        return None
    row = con.execute(f"SELECT value FROM {prefix}meta WHERE key = 'schema_version'").fetchone()  # noqa: S608
    return row[0] if row else ""


def _ensure_schema(con: duckdb.DuckDBPyConnection, db: str) -> None:
    """Create the tables of a new store, upgrade an older one in place, refuse any other version."""
    found = _version(con)
    if found == SCHEMA_VERSION:
        return
    if found is not None and found not in UPGRADABLE:
        raise StoreError("version", db=db, found=found, expected=SCHEMA_VERSION)
    version = [("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])]
    _transaction(con, [*((s, []) for s in ddl()), *version])


def _check_version(found: str | None, db: str) -> None:
    """For reading: the current version, else a StoreError saying what to do (an ingest upgrades older ones)."""
    if found in UPGRADABLE:
        raise StoreError("outdated", db=db)
    if found != SCHEMA_VERSION:
        raise StoreError("version", db=db, found=found, expected=SCHEMA_VERSION)


# --------------------------------------------------------------------------- opening the file


def holder(exc: BaseException) -> str:
    """`` (PID 1234)`` of the process that holds the lock DuckDB reports, or ``""``."""
    match = _HOLDER.search(str(exc))
    return f" (PID {match[1]})" if match else ""


def is_locked(exc: BaseException) -> bool:
    """True when DuckDB could not open the file because another process holds it."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _waiting(attempt: Callable[[], _T], db: str, wait: float, on_wait: Callable[[i18n.Message], None] | None) -> _T:
    """``attempt()``, retried while another process holds the file, up to ``wait`` seconds; ``on_wait`` is told once.

    Raises :class:`StoreError` ``busy`` when the file is still held after ``wait`` seconds.
    """
    deadline = time.monotonic() + max(wait, 0.0)
    told = False
    while True:
        try:
            return attempt()
        except duckdb.IOException as exc:
            if not is_locked(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreError("busy", db=db, holder=holder(exc), seconds=int(wait)) from None
            if on_wait is not None and not told:
                on_wait(i18n.Message("store.waiting", db=db, holder=holder(exc)))
                told = True
            time.sleep(0.2)


def connect(
    db: Path | str | None = None,
    read_only: bool = True,
    *,
    wait: float = 0.0,
    on_wait: Callable[[i18n.Message], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store file (default ``outputs/smartcity.duckdb``).

    Read-only (the default) needs an existing store of the current version; several processes may read at once.
    ``read_only=False`` creates the file and its tables when missing and upgrades an older version (one writer at
    a time). While another process holds the file, waits up to ``wait`` seconds (see :func:`snapshot`).
    """
    path = DEFAULT_DB if db is None else Path(db)
    name = str(path)
    if read_only and name != ":memory:" and not path.exists():
        raise StoreError("no_store", db=name)
    if not read_only and name != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _waiting(lambda: duckdb.connect(name, read_only=read_only), name, wait, on_wait)
    try:
        if read_only:
            _check_version(_version(con), name)
        else:
            _ensure_schema(con, name)
    except BaseException:
        con.close()
        raise
    return con


def snapshot(
    db: Path | str | None = None,
    *,
    wait: float = WAIT_SECONDS,
    on_wait: Callable[[i18n.Message], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory copy of the whole store (tables and views), for exploring; the file is released at once.

    Safe to call again and again, and while other processes read the file; while one writes it (an ingest), waits
    up to ``wait`` seconds, calling ``on_wait`` once with a message to show. Changes to the copy stay in memory.
    """
    path = DEFAULT_DB if db is None else Path(db)
    name = str(path)
    if not path.exists():
        raise StoreError("no_store", db=name)
    con = duckdb.connect(":memory:")
    quoted = name.replace("'", "''")
    try:
        _waiting(lambda: con.execute(f"ATTACH '{quoted}' AS store_file (READ_ONLY)"), name, wait, on_wait)
        try:
            _check_version(_version(con, "store_file"), name)
            con.execute("COPY FROM DATABASE store_file TO memory")
        finally:
            con.execute("DETACH store_file")
    except BaseException:
        con.close()
        raise
    return con


def store_error_message(exc: Exception, db: Path | str, lang: str = DEFAULT_LANG) -> str:
    """What to tell a user when the store cannot be opened: in use by another process, or not a store."""
    if is_locked(exc):
        return T(lang, "locked", db=db, holder=holder(exc))
    if isinstance(exc, i18n.LocalizedError):
        return exc.message(lang)
    return str(exc)


def dump(con: duckdb.DuckDBPyConnection, tables: Iterable[str] = TABLES) -> dict[str, pd.DataFrame]:
    """Every row of ``tables``, sorted on all columns (for comparing two states of the store)."""
    out = {}
    for table in tables:
        cols = [c for c, _ in COLUMNS[table]]
        order = ", ".join(f"{c} NULLS FIRST" for c in cols)
        out[table] = con.execute(f"SELECT * FROM {table} ORDER BY {order}").df()  # noqa: S608 - constant names
    return out
