"""Loading files into the evaluation store: ``smartcity-eval ingest [DATA_DIR] [--db FILE]``.

Loads ``DATA_DIR/<year>/tahap-<stage>/<slug>.xlsx`` (checked with :func:`smartcity_eval.inputs.validation.validate`,
scored with :func:`smartcity_eval.method.scoring.score_assessment`) and
``DATA_DIR/published/national-<year>-tahap-<stage>.csv`` (read with
:func:`smartcity_eval.results.national.read_published`). Loading is incremental: a file whose content (sha256) is
already loaded is skipped, a changed file replaces its rows in one transaction, a broken file is reported and
changes nothing. Every ingest also rewrites the ``questions`` table from the methodology files. The schema and
connections are :mod:`smartcity_eval.results.schema`'s; queries are :mod:`smartcity_eval.results.store`'s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from smartcity_eval.common import i18n, processes
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES
from smartcity_eval.common.layout import DEFAULT_DATA_DIR, DEFAULT_DB, PUBLISHED_NAME, DataLayout, skipped
from smartcity_eval.common.numbers import round_half_up
from smartcity_eval.common.tables import sha256
from smartcity_eval.inputs.validation import Problem, validate
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment, slugify
from smartcity_eval.method.methodology import DIMENSION_KEYS
from smartcity_eval.method.scoring import score_assessment
from smartcity_eval.results import rules
from smartcity_eval.results.national import TableError, read_published
from smartcity_eval.results.schema import (
    COLUMNS,
    EVALUATION_TABLES,
    WAIT_SECONDS,
    StoreError,
    connect,
    store_error_message,
)

WORKBOOK, PUBLISHED = "workbook", "published"

T = i18n.section("store")


class DataDirError(i18n.LocalizedError, FileNotFoundError):
    """The data folder to ingest does not exist."""

    section = "store"


# --------------------------------------------------------------------------- turning files into rows


def evaluation_id(region_slug: str, year: int, stage: int, source: str) -> str:
    """``kab-malang/2023/tahap-2/workbook``: one id per region x year x stage x source."""
    return f"{region_slug}/{int(year)}/tahap-{int(stage)}/{source}"


def _frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = [c for c, _ in COLUMNS[table]]
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in cols}, columns=cols)


def _decimal_text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass
class Batch:
    """The rows one file contributes: ``regions`` rows to upsert and a frame per table."""

    kind: str
    regions: list[dict[str, Any]] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def evaluation_ids(self) -> list[str]:
        ev = self.frames.get("evaluations")
        return [] if ev is None else [str(v) for v in ev["evaluation_id"]]


def workbook_batch(assessment: Assessment, source_file: str, sha256: str) -> Batch:
    """Rows of one validated assessment, scored with its year's methodology (improvement comes later)."""
    p = assessment.profile
    methodology = mth.get(p.year)
    card = score_assessment(assessment, methodology)
    bank = methodology.question_bank(p.category)
    dims_of = bank["dimension"].to_dict()
    eid = evaluation_id(p.slug, p.year, p.stage, WORKBOOK)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in ("evaluations", *EVALUATION_TABLES)}
    rows["evaluations"].append(
        {
            "evaluation_id": eid,
            "region_slug": p.slug,
            "region_code": p.region_code,
            "year": p.year,
            "stage": p.stage,
            "category": p.category,
            "cohort": p.cohort,
            "source": WORKBOOK,
            "source_file": source_file,
            "sha256": sha256,
        }
    )
    for code, a in assessment.assessors.iterrows():
        rows["assessors"].append(
            {"evaluation_id": eid, "code": str(code), "name": a["name"], "affiliation": a["affiliation"]}
        )
    long = assessment.scores.stack().dropna()  # (item_id, assessor) -> score
    rows["item_scores"] = [
        {
            "evaluation_id": eid,
            "item_id": str(item_id),
            "dimension": dims_of.get(item_id),
            "assessor": str(assessor),
            "score": int(score),
        }
        for (item_id, assessor), score in long.items()
    ]
    for item_id, value in card.items.items():
        rows["item_values"].append(
            {"evaluation_id": eid, "item_id": str(item_id), "dimension": dims_of.get(item_id), "value": float(value)}
        )
    for dim, score in card.dimensions.items():
        rows["dimension_scores"].append(
            {"evaluation_id": eid, "dimension": dim, "score": float(score), "score_rounded": str(round_half_up(score))}
        )
    rows["finals"].append(
        {
            "evaluation_id": eid,
            "nilai_final": float(card.nilai_final),
            "nilai_final_rounded": str(card.nilai_final_rounded),
            "previous_final": None,
            "improvement": None,
            "participant": rules.participant(card.dimensions),
            "from_rounded_inputs": False,
            "nilai_final_exact": str(card.nilai_final),
            "previous_source": None,
        }
    )
    for seq, prog in enumerate(assessment.programmes.to_dict("records"), start=1):
        rows["programmes"].append({"evaluation_id": eid, **prog, "quick_win": bool(prog["quick_win"]), "seq": seq})
    for seq, act in enumerate(assessment.action_plan.to_dict("records"), start=1):
        rows["action_plan"].append(
            {"evaluation_id": eid, **act, "planned": int(act["planned"]), "done": int(act["done"]), "seq": seq}
        )
    for seq, finding in enumerate(assessment.findings.to_dict("records"), start=1):
        rows["findings"].append({"evaluation_id": eid, **finding, "seq": seq})
    region = {"region_code": p.region_code, "region": p.region, "slug": p.slug, "province": p.province}
    return Batch(WORKBOOK, [region], {t: _frame(t, r) for t, r in rows.items()})


class PublishedError(i18n.LocalizedError, ValueError):
    """A published table cannot be loaded for a reason other than a bad cell: a key of the ``store`` messages."""

    section = "store"


def published_batch(path: Path, source_file: str, sha256: str) -> Batch:
    """Rows of one published national table; year and stage come from the file name.

    Raises :class:`~smartcity_eval.results.national.TableError` (bad cells) or :class:`PublishedError`.
    """
    match = PUBLISHED_NAME.match(path.name)
    if not match:
        raise PublishedError("bad_name")
    year, stage = int(match["year"]), int(match["stage"])
    table = read_published(path)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in ("evaluations", "dimension_scores", "finals")}
    regions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rec in table.to_dict("records"):
        try:
            slug = slugify(rec["region"])
        except ValueError:
            raise PublishedError("bad_region", region=rec["region"]) from None
        if slug in seen:
            raise PublishedError("duplicate_region", region=rec["region"])
        seen.add(slug)
        eid = evaluation_id(slug, year, stage, PUBLISHED)
        regions.append(
            {"region_code": rec["region_code"], "region": rec["region"], "slug": slug, "province": rec["province"]}
        )
        rows["evaluations"].append(
            {
                "evaluation_id": eid,
                "region_slug": slug,
                "region_code": rec["region_code"],
                "year": year,
                "stage": stage,
                "category": rec["category"],
                "cohort": None,
                "source": PUBLISHED,
                "source_file": source_file,
                "sha256": sha256,
            }
        )
        dims = {k: rec[k] for k in DIMENSION_KEYS if rec.get(k) is not None and not pd.isna(rec[k])}
        for dim, value in dims.items():
            rows["dimension_scores"].append(
                {
                    "evaluation_id": eid,
                    "dimension": dim,
                    "score": float(value),
                    "score_rounded": _decimal_text(round_half_up(value)),
                }
            )
        final = None if rules.missing(rec.get("nilai_final")) else rec["nilai_final"]
        participant = rules.participant(dims, final)
        improvement = rules.published_improvement(rec.get("improvement"), participant)
        rows["finals"].append(
            {
                "evaluation_id": eid,
                "nilai_final": None if final is None else float(final),
                "nilai_final_rounded": None if final is None else str(round_half_up(final)),
                "previous_final": None,
                "improvement": None if improvement is None else str(round_half_up(improvement)),
                "participant": participant,
                "from_rounded_inputs": True,
                "nilai_final_exact": None if final is None else str(final),
                "previous_source": None,
            }
        )
    return Batch(PUBLISHED, regions, {t: _frame(t, r) for t, r in rows.items()})


# --------------------------------------------------------------------------- ingest


@dataclass
class FileOutcome:
    """What ingest did with one file (``action``: loaded, replaced, skipped, ignored, error, missing, pruned)."""

    path: str
    display: str
    kind: str
    action: str
    evaluations: int = 0
    warnings: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def format(self, lang: str = DEFAULT_LANG) -> str:
        """One line, then the problems and notes indented."""
        t = T[lang]
        detail = []
        if self.action in ("loaded", "replaced"):
            detail.append(f"{self.evaluations} {t('evaluations')}")
            if self.warnings:
                detail.append(f"{self.warnings} {t('warnings')}")
        elif self.action == "skipped":
            detail.append(t("unchanged"))
        line = f"[{t(self.action)}] {self.display}" + (f" ({', '.join(detail)})" if detail else "")
        lines = [line]
        lines += ["    " + p.format(lang) for p in self.problems]
        lines += ["    " + t(key, **params) for key, params in self.notes]
        return "\n".join(lines)


@dataclass
class IngestReport:
    """Every file's outcome, plus how many improvements the final pass changed."""

    db: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    improvements_updated: int = 0

    def count(self, action: str) -> int:
        return sum(o.action == action for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.count("error")

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def summary(self, lang: str = DEFAULT_LANG) -> str:
        """One line: how many files were loaded, replaced, skipped, broken, missing and pruned."""
        counts = {a: self.count(a) for a in ("loaded", "replaced", "skipped", "error", "missing", "pruned")}
        return T(lang, "summary", db=self.db, **counts)

    def format(self, lang: str = DEFAULT_LANG, *, only_problems: bool = False) -> str:
        """Every outcome (with ``only_problems``, the broken files' only), then the summary line."""
        shown = [o for o in self.outcomes if o.action == "error" or not only_problems]
        return "\n".join([*(o.format(lang) for o in shown), self.summary(lang)])


@dataclass(frozen=True)
class SourceFile:
    path: Path
    key: str  # absolute POSIX path, as stored in files.path and evaluations.source_file
    display: str
    kind: str


def scan(data_dir: Path) -> list[SourceFile]:
    """What a batch would load from ``data_dir`` (:class:`~smartcity_eval.common.layout.DataLayout`): workbooks at
    ``<year>/tahap-<stage>/<slug>.xlsx`` and the tables in ``published/``, sorted."""
    layout = DataLayout(Path(data_dir))
    found = [_source(layout.root, p, WORKBOOK) for p in layout.all_workbooks()]
    return found + [_source(layout.root, p, PUBLISHED) for p in layout.published_tables()]


def stray_workbooks(data_dir: Path) -> list[SourceFile]:
    """Workbooks elsewhere in ``data_dir``: not loaded (the batch ignores them too), but reported."""
    root = Path(data_dir)
    placed = {p.resolve() for p in DataLayout(root).all_workbooks()}
    strays = [p for p in sorted(root.rglob("*.xlsx")) if p.is_file() and p.resolve() not in placed]
    return [_source(root, p, WORKBOOK) for p in strays if not skipped(p.relative_to(root))]


def _source(root: Path, path: Path, kind: str) -> SourceFile:
    return SourceFile(path, path.resolve().as_posix(), path.relative_to(root).as_posix(), kind)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    cols = COLUMNS[table]
    select = ", ".join(f"CAST({c} AS {t})" for c, t in cols)
    name = f"_batch_{table}"
    con.register(name, frame)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(c for c, _ in cols)}) SELECT {select} FROM {name}")  # noqa: S608
    finally:
        _unregister(con, name)


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered frame; in an aborted transaction that fails, and the caller's error matters more."""
    with contextlib.suppress(duckdb.Error):
        con.unregister(name)


def _delete_file_rows(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    for table in EVALUATION_TABLES:
        con.execute(
            f"DELETE FROM {table} WHERE evaluation_id IN "  # noqa: S608 - constant table names
            "(SELECT evaluation_id FROM evaluations WHERE source_file = ?)",
            [source_file],
        )
    con.execute("DELETE FROM evaluations WHERE source_file = ?", [source_file])


def _upsert_regions(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    if not batch.regions:
        return
    frame = _frame("regions", batch.regions)
    name = "_batch_regions"
    con.register(name, frame)
    try:
        if batch.kind == WORKBOOK:  # a workbook's profile is authoritative
            action = (
                "DO UPDATE SET region_code = excluded.region_code, region = excluded.region, "
                "province = excluded.province"
            )
        else:  # a published table only names the region
            action = "DO NOTHING"
        con.execute(
            "INSERT INTO regions SELECT CAST(region_code AS VARCHAR), CAST(region AS VARCHAR), "  # noqa: S608
            f"CAST(slug AS VARCHAR), CAST(province AS VARCHAR) FROM {name} ON CONFLICT (slug) {action}"
        )
    finally:
        _unregister(con, name)


def _build(src: SourceFile, sha: str, outcome: FileOutcome) -> Batch | None:
    """The file's rows, or None with the problems recorded in ``outcome``."""
    if src.kind == WORKBOOK:
        result = validate(src.path)
        if not result.ok or result.assessment is None:
            outcome.problems = result.problems
            return None
        outcome.warnings = len(result.warnings)
        return workbook_batch(result.assessment, src.key, sha)
    try:
        return published_batch(src.path, src.key, sha)
    except TableError as exc:
        outcome.problems = exc.problems
    except PublishedError as exc:
        outcome.notes.append((exc.key, exc.params))
    return None


def _build_job(src: SourceFile, sha: str) -> tuple[Batch | None, FileOutcome]:
    """Validate and score one file into its rows (pure: runs in a worker process)."""
    outcome = FileOutcome(src.key, src.display, src.kind, "error")
    try:
        return _build(src, sha, outcome), outcome
    except (ValueError, KeyError, OSError) as exc:  # anything the checks did not foresee: report, change nothing
        outcome.notes.append(("failed", {"detail": f"{exc.__class__.__name__}: {exc}"}))
        return None, outcome


def _prebuild(
    sources: list[SourceFile], known: dict[str, str], workers: int | None
) -> Iterator[tuple[SourceFile, Any]]:
    """Yield each source with its rows built ahead (``(sha, (batch, outcome))``, or None to build it later).

    New or changed files are validated and scored in worker processes; results are yielded in file order as
    they complete, so loading overlaps with building. The workers die with this process and leave Ctrl-C to it.
    """
    todo: dict[str, str] = {}
    for src in sources:
        try:
            sha = sha256(src.path)
        except OSError:
            continue
        if known.get(src.key) != sha:
            todo[src.key] = sha
    workers = workers if workers is not None else min(len(os.sched_getaffinity(0)), 8)
    if len(todo) < 16 or workers < 2:
        yield from ((src, None) for src in sources)
        return
    import concurrent.futures as cf
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(workers, mp_context=spawn, initializer=processes.worker_init) as pool:
        futures = {src.key: pool.submit(_build_job, src, todo[src.key]) for src in sources if src.key in todo}
        for src in sources:
            fut = futures.get(src.key)
            yield src, None if fut is None else (todo[src.key], fut.result())


@dataclass
class _Index:
    """What the store already holds, kept in memory during one ingest: file hashes and evaluation owners."""

    paths_by_sha: dict[str, set[str]]
    owner: dict[str, str]

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> _Index:
        paths: dict[str, set[str]] = {}
        for path, sha in con.execute("SELECT path, sha256 FROM files WHERE kind = 'workbook'").fetchall():
            paths.setdefault(sha, set()).add(path)
        owner = dict(con.execute("SELECT evaluation_id, source_file FROM evaluations").fetchall())
        return cls(paths, owner)

    def written(self, pending: _Pending) -> None:
        """Record a file whose rows were just written."""
        for paths in self.paths_by_sha.values():
            paths.discard(pending.src.key)
        if pending.src.kind == WORKBOOK:
            self.paths_by_sha.setdefault(pending.sha, set()).add(pending.src.key)
        gone = {pending.src.key, *pending.vanished}
        self.owner = {eid: src for eid, src in self.owner.items() if src not in gone}
        self.owner.update({eid: pending.src.key for eid in pending.batch.evaluation_ids})


def _prepare(
    index: _Index, src: SourceFile, known_sha: str | None, prebuilt: tuple[str, tuple[Batch | None, FileOutcome]] | None
) -> _Pending | FileOutcome:
    """Everything before writing: hash, skip checks, rows, ownership checks. A FileOutcome means done."""
    outcome = FileOutcome(src.key, src.display, src.kind, "error")
    try:
        sha = sha256(src.path)
    except OSError as exc:
        outcome.notes.append(("failed", {"detail": str(exc)}))
        return outcome
    if prebuilt is not None and prebuilt[0] != sha:  # the file changed while it was being read
        prebuilt = None
    if known_sha == sha:
        outcome.action = "skipped"
        return outcome
    if src.kind == WORKBOOK:  # an identical copy of a loaded workbook that still exists adds nothing
        twins = sorted(p for p in index.paths_by_sha.get(sha, ()) if p != src.key)
        original = next((path for path in twins if Path(path).exists()), None)
        if original is not None:
            outcome.action = "skipped"
            outcome.notes.append(("copy_of", {"path": original}))
            return outcome
    batch, outcome = prebuilt[1] if prebuilt is not None else _build_job(src, sha)
    if batch is None:
        return outcome
    ids = batch.evaluation_ids
    owners = sorted({(eid, index.owner[eid]) for eid in ids if eid in index.owner and index.owner[eid] != src.key})
    live = [(eid, owner) for eid, owner in owners if Path(owner).exists()]
    if live:
        outcome.notes += [("duplicate_evaluation", {"evaluation": eid, "path": owner}) for eid, owner in live]
        return outcome
    return _Pending(src, sha, batch, outcome, known_sha, sorted({owner for _, owner in owners}))


@dataclass
class _Pending:
    """A file whose rows are ready to be written."""

    src: SourceFile
    sha: str
    batch: Batch
    outcome: FileOutcome
    known_sha: str | None
    vanished: list[str]

    @property
    def simple(self) -> bool:
        """New, owning nothing yet: can share a transaction with other new files."""
        return self.known_sha is None and not self.vanished

    def file_row(self) -> list[Any]:
        warnings = self.outcome.warnings
        message = f"{warnings} peringatan validasi / validation warnings" if warnings else None
        return [
            self.src.key,
            self.sha,
            self.src.kind,
            datetime.now(UTC).replace(tzinfo=None),
            "warnings" if warnings else "ok",
            message,
        ]

    def done(self) -> FileOutcome:
        self.outcome.action = "loaded" if self.known_sha is None else "replaced"
        self.outcome.evaluations = len(self.batch.evaluation_ids)
        self.outcome.notes += [("moved_from", {"path": owner}) for owner in self.vanished]
        return self.outcome


def _write(con: duckdb.DuckDBPyConnection, pending: _Pending) -> FileOutcome:
    """Replace one file's rows in one transaction; on a database error keep the store as it was."""
    con.begin()
    try:
        for owner in (pending.src.key, *pending.vanished):
            _delete_file_rows(con, owner)
        for owner in pending.vanished:
            con.execute("DELETE FROM files WHERE path = ?", [owner])
        _upsert_regions(con, pending.batch)
        for table in ("evaluations", *EVALUATION_TABLES):
            if table in pending.batch.frames:
                _insert(con, table, pending.batch.frames[table])
        con.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", pending.file_row())
        con.commit()
    except duckdb.Error as exc:  # e.g. a value out of a column's range: report the file, keep the store as it was
        con.rollback()
        pending.outcome.notes.append(("failed", {"detail": f"{exc.__class__.__name__}: {exc}"}))
        return pending.outcome
    except BaseException:
        con.rollback()
        raise
    return pending.done()


def _write_group(con: duckdb.DuckDBPyConnection, group: list[_Pending]) -> list[FileOutcome]:
    """Write several new files in one transaction (much faster); if that fails, each in its own."""
    if not group:
        return []
    if len(group) == 1:
        return [_write(con, group[0])]
    con.begin()
    try:
        for kind in (WORKBOOK, PUBLISHED):
            regions = [r for p in group if p.batch.kind == kind for r in p.batch.regions]
            if regions:
                _upsert_regions(con, Batch(kind, regions))
        for table in ("evaluations", *EVALUATION_TABLES):
            frames = [
                p.batch.frames[table] for p in group if table in p.batch.frames and not p.batch.frames[table].empty
            ]
            if frames:
                _insert(con, table, pd.concat(frames, ignore_index=True))
        files = pd.DataFrame(
            [p.file_row() for p in group], columns=["path", "sha256", "kind", "loaded_at", "status", "message"]
        )
        con.register("_batch_files", files)
        try:
            con.execute("INSERT OR REPLACE INTO files SELECT * FROM _batch_files")
        finally:
            _unregister(con, "_batch_files")
        con.commit()
    except duckdb.Error:
        con.rollback()
        return [_write(con, p) for p in group]
    except BaseException:
        con.rollback()
        raise
    return [p.done() for p in group]


GROUP_SIZE = 64


def _exact(text: str | None) -> Fraction | None:
    """``finals.nilai_final_exact`` (``"2.94"`` or ``"30881/10500"``) as a Fraction."""
    return None if text is None else Fraction(text)


def _last(key: tuple[str, int, int, str], finals: dict[tuple[str, int, int, str], tuple[str | None, bool]]) -> Any:
    """``(final, took_part)`` of one evaluation for :func:`rules.last_year`, or None when it is not loaded."""
    found = finals.get(key)
    return None if found is None else (_exact(found[0]), found[1])


def update_improvements(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute every workbook evaluation's improvement; returns the number of rows changed.

    Last year's Nilai Final is the same region's Tahap II workbook evaluation of the previous year (exact),
    else its published final (2 decimals); a non-participant (this year or last) has no improvement.
    Published rows keep the improvement as published. Runs after loading, so load order does not matter.
    """
    rows = con.execute("""
        SELECT e.evaluation_id, e.region_slug, e.year, e.stage, e.source, f.nilai_final_exact, f.participant,
               f.previous_final, f.improvement, f.previous_source
        FROM evaluations e JOIN finals f USING (evaluation_id)""").fetchall()
    finals: dict[tuple[str, int, int, str], tuple[str | None, bool]] = {
        (slug, year, stage, source): (exact, bool(part)) for _, slug, year, stage, source, exact, part, *_ in rows
    }
    updates = []
    for eid, slug, year, _stage, source, exact, participant, prev_old, imp_old, prev_src_old in rows:
        if source != WORKBOOK:
            continue
        previous, prev_source = rules.last_year(
            _last((slug, year - 1, 2, WORKBOOK), finals), _last((slug, year - 1, 2, PUBLISHED), finals)
        )
        prev_source = None if previous is None else prev_source
        change = rules.improvement(_exact(exact), bool(participant), previous)
        improvement = None if change is None else round_half_up(change)
        prev_float = None if previous is None else float(previous)
        if (prev_float, improvement, prev_source) != (prev_old, imp_old, prev_src_old):
            updates.append(
                {
                    "evaluation_id": eid,
                    "previous_final": prev_float,
                    "improvement": _decimal_text(improvement),
                    "previous_source": prev_source,
                }
            )
    if not updates:
        return 0
    frame = pd.DataFrame({k: pd.Series([u[k] for u in updates], dtype=object) for k in updates[0]})
    con.begin()
    try:
        con.register("_improvements", frame)
        con.execute("""
            UPDATE finals SET previous_final = CAST(u.previous_final AS DOUBLE),
                              improvement = CAST(u.improvement AS DECIMAL(4,2)),
                              previous_source = CAST(u.previous_source AS VARCHAR)
            FROM _improvements u WHERE finals.evaluation_id = u.evaluation_id""")
        con.unregister("_improvements")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(updates)


def _drop_orphan_regions(con: duckdb.DuckDBPyConnection) -> None:
    orphans = con.execute(
        "SELECT count(*) FROM regions WHERE slug NOT IN (SELECT region_slug FROM evaluations)"
    ).fetchone()
    if orphans and orphans[0]:
        con.execute("DELETE FROM regions WHERE slug NOT IN (SELECT region_slug FROM evaluations)")


def _load_files(con: duckdb.DuckDBPyConnection, data_dir: Path, workers: int | None) -> list[FileOutcome]:
    """Load every new or changed file of ``data_dir``; new files share transactions of up to GROUP_SIZE files."""
    strays = stray_workbooks(data_dir)
    outcomes = [FileOutcome(s.key, s.display, s.kind, "ignored", notes=[("stray", {})]) for s in strays]
    known = dict(con.execute("SELECT path, sha256 FROM files").fetchall())
    index = _Index.load(con)
    group: list[_Pending] = []

    def flush() -> None:
        outcomes.extend(_write_group(con, group))
        for pending in group:
            if pending.outcome.action in ("loaded", "replaced"):
                index.written(pending)
        group.clear()

    for src, prebuilt in _prebuild(scan(data_dir), known, workers):
        step = _prepare(index, src, known.get(src.key), prebuilt)
        claimed = isinstance(step, _Pending) and any(
            set(step.batch.evaluation_ids) & set(p.batch.evaluation_ids) for p in group
        )
        if claimed:
            flush()  # a file of the group claims the same evaluation: check again once it is written
            step = _prepare(index, src, known.get(src.key), prebuilt)
        if isinstance(step, FileOutcome):
            outcomes.append(step)
        elif step.simple:
            group.append(step)
            if len(group) >= GROUP_SIZE:
                flush()
        else:
            flush()
            outcomes.append(_write(con, step))
            if step.outcome.action in ("loaded", "replaced"):
                index.written(step)
    flush()
    return outcomes


def _vanished_files(con: duckdb.DuckDBPyConnection, prune: bool) -> list[FileOutcome]:
    """Files loaded earlier that no longer exist: reported, and with ``prune`` their rows deleted."""
    outcomes = []
    for path, kind in con.execute("SELECT path, kind FROM files ORDER BY path").fetchall():
        if Path(path).exists():
            continue
        outcome = FileOutcome(path, path, kind, "pruned" if prune else "missing")
        if prune:
            con.begin()
            try:
                _delete_file_rows(con, path)
                con.execute("DELETE FROM files WHERE path = ?", [path])
                con.commit()
            except BaseException:
                con.rollback()
                raise
        outcome.notes.append(("pruned_note" if prune else "missing_note", {}))
        outcomes.append(outcome)
    return outcomes


def question_rows() -> pd.DataFrame:
    """The ``questions`` table: every item of every methodology year's question bank, in bank order."""
    rows = [
        {
            "year": m.year,
            "item_id": it.id,
            "dimension": it.dimension,
            "pillar": it.pillar,
            "sub_dimension": it.sub_dimension,
            "element": it.element,
            "indicator": it.indicator,
            "question": it.question,
            "question_en": it.question_en,
            "categories": None if it.categories is None else ",".join(it.categories),
        }
        for m in map(mth.get, mth.years())
        for d in m.dimensions
        for it in d.items
    ]
    return _frame("questions", rows)


def sync_questions(con: duckdb.DuckDBPyConnection) -> bool:
    """Rewrite ``questions`` from the methodology files when they differ from it; True when it was rewritten."""
    rows = question_rows()
    wanted = sorted(tuple(r) for r in rows.itertuples(index=False))
    held = con.execute("SELECT * FROM questions ORDER BY year, item_id").fetchall()
    if held == wanted:
        return False
    con.begin()
    try:
        con.execute("DELETE FROM questions")
        _insert(con, "questions", rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return True


def ingest(
    data_dir: Path | str = DEFAULT_DATA_DIR,
    db: Path | str | None = None,
    *,
    prune: bool = False,
    workers: int | None = None,
    wait: float = 0.0,
    on_wait: Callable[[i18n.Message], None] | None = None,
) -> IngestReport:
    """Load every workbook and published table under ``data_dir`` into the store ``db``.

    Unchanged files (same path and sha256) are skipped; a changed file replaces its rows in one transaction;
    a broken file changes nothing and is reported. Files loaded earlier that no longer exist are reported as
    missing and keep their rows, unless ``prune`` (then their rows are deleted). While another process holds the
    store, waits up to ``wait`` seconds (:func:`smartcity_eval.results.schema.connect`).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataDirError("not_a_dir", path=data_dir)
    db_name = str(DEFAULT_DB if db is None else db)
    con = connect(db_name, read_only=False, wait=wait, on_wait=on_wait)
    try:
        report = IngestReport(db_name, _load_files(con, data_dir, workers))
        report.outcomes += _vanished_files(con, prune)
        report.improvements_updated = update_improvements(con)
        _drop_orphan_regions(con)
        sync_questions(con)
        return report
    finally:
        con.close()


def _tell(lang: str) -> Callable[[i18n.Message], None]:
    """Print a message (such as waiting for the store) to stderr in ``lang``."""
    return lambda message: print(message.text(lang), file=sys.stderr, flush=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    """``smartcity-eval ingest``: print every file's outcome and a summary; exit 1 if any file is broken."""
    if not Path(args.data_dir).is_dir():
        print(T(args.lang, "not_a_dir", path=args.data_dir), file=sys.stderr)
        return 1
    try:
        report = ingest(args.data_dir, args.db, prune=args.prune, wait=args.wait, on_wait=_tell(args.lang))
    except (duckdb.IOException, StoreError) as exc:
        print(store_error_message(exc, args.db, args.lang), file=sys.stderr)
        return 1
    print(report.format(args.lang))
    return report.exit_code


def add_parser(subparsers: Any) -> None:
    """Register ``ingest`` on the CLI's subparsers."""
    p = subparsers.add_parser("ingest", help="load workbooks and published tables into the evaluation store")
    p.add_argument(
        "data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR, help=f"data folder (default: {DEFAULT_DATA_DIR})"
    )
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default: {DEFAULT_DB})")
    p.add_argument(
        "--prune", action="store_true", help="delete the rows of files that were loaded earlier and no longer exist"
    )
    p.add_argument(
        "--wait",
        type=float,
        default=WAIT_SECONDS,
        help=f"seconds to wait while another process uses the store (default: {WAIT_SECONDS:g})",
    )
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of messages (default: id)")
    p.set_defaults(func=cmd_ingest)
