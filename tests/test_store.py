"""The DuckDB evaluation store: incremental ingest, one transaction per file, broken files change nothing."""

from __future__ import annotations

import argparse
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from smartcity_eval.common.numbers import round_half_up
from smartcity_eval.inputs.workbook import write_assessment
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment, Profile
from smartcity_eval.method.scoring import score_assessment
from smartcity_eval.results import loading, rules, schema, store

REGIONS = {  # slug -> (name, Kemendagri code, province, category)
    "kab-malang": ("Kab. Malang", "35.07", "Jawa Timur", "KPPN&IKN"),
    "kota-padang-panjang": ("Kota Padang Panjang", "13.74", "Sumatera Barat", "REGULER"),
    "kota-surakarta": ("Kota Surakarta", "33.72", "Jawa Tengah", "KPPN&IKN"),
}
#: (slug, year) of the workbooks in the sample folder; Surakarta has no 2022 workbook, only a published row
WORKBOOKS = [("kab-malang", 2022), ("kab-malang", 2023), ("kota-padang-panjang", 2023), ("kota-surakarta", 2023)]
PUBLISHED_2022 = (
    "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement\n"
    "1,Kota Surakarta,KPPN&IKN,1.5,1.5,1.5,1.5,1.5,,1.5,-\n"
    "2,Kab. Malang,KPPN&IKN,1.2,1.2,1.2,1.2,1.2,,1.2,-\n"
)
EXPECTED_RANKS = {  # national, category (as in test_national)
    "Kota Surakarta": (1, 1),
    "Kota Jambi": (2, 1),
    "Kab. Malang": (3, 2),
    "Kota Padang Panjang": (4, 2),
    "Kab. Toba": (5, 3),
    "Kab. Pelalawan": (6, 3),
    "Kab. Kutai Barat": (7, 4),
    "Kab. Raja Ampat": (8, 5),
}


def make_assessment(slug: str, year: int, stage: int = 2, seed: int = 0) -> Assessment:
    """A deterministic, fully scored assessment by four assessors."""
    region, code, province, category = REGIONS[slug]
    bank = mth.get(year).question_bank(category)
    panel = pd.DataFrame(
        {
            "name": ["Dr. Rina Kartika", "Ir. Budi Santoso", "Dr. Sari Wulandari", "Agus Pratama"],
            "affiliation": ["Universitas Andalas", "Praktisi TIK", "ITB", "Praktisi"],
        },
        index=pd.Index(["A1", "A2", "A3", "A4"], name="code"),
    )
    base = seed + year + len(slug)
    rows = {item: [(base + i * (j + 1)) % 5 for j in range(4)] for i, item in enumerate(bank.index)}
    scores = pd.DataFrame.from_dict(rows, orient="index", columns=list(panel.index), dtype="Int64")
    scores.index.name = "item_id"
    programmes = pd.DataFrame(
        [
            {
                "pillar": "governance",
                "sub_dimension": "layanan_publik",
                "name": "Mal Pelayanan Publik",
                "agency": "DPMPTSP",
                "quick_win": True,
                "status": "berjalan",
            },
            {
                "pillar": "living",
                "sub_dimension": "prasarana_kesehatan",
                "name": "Telemedisin",
                "agency": "Dinas Kesehatan",
                "quick_win": False,
                "status": "belum_berjalan",
            },
        ]
    )
    action_plan = pd.DataFrame([{"category": "sdm", "activity": "Pelatihan ASN", "planned": 4, "done": 3}])
    findings = pd.DataFrame(
        [
            {"assessor": "A1", "kind": "kekuatan", "text": f"Komitmen kepala daerah {region} kuat."},
            {"assessor": "A2", "kind": "kelemahan", "text": "Pendanaan non-APBD belum ada."},
            {"assessor": "A1", "kind": "rekomendasi", "text": "Perkuat Dewan Smart City."},
        ]
    )
    profile = Profile(region, code, province, category, "2017", year, stage)
    return Assessment(profile, panel, scores, programmes=programmes, action_plan=action_plan, findings=findings)


def workbook_path(root: Path, slug: str, year: int, stage: int = 2) -> Path:
    return root / str(year) / f"tahap-{stage}" / f"{slug}.xlsx"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory, national_csv) -> Path:
    """Four workbooks and two published tables, written once per module (copy before changing)."""
    root = tmp_path_factory.mktemp("sample")
    for slug, year in WORKBOOKS:
        write_assessment(make_assessment(slug, year), workbook_path(root, slug, year))
    published = root / "published"
    published.mkdir()
    shutil.copy(national_csv, published / "national-2023-tahap-2.csv")
    (published / "national-2022-tahap-2.csv").write_text(PUBLISHED_2022, encoding="utf-8")
    return root


@pytest.fixture
def data(sample_dir, tmp_path) -> Path:
    """A private copy of the sample folder."""
    return Path(shutil.copytree(sample_dir, tmp_path / "data"))


@pytest.fixture(scope="module")
def base(sample_dir, tmp_path_factory) -> tuple[Path, store.IngestReport]:
    """The sample folder ingested once (read it, or clone it with ``loaded``)."""
    db = tmp_path_factory.mktemp("store") / "base.duckdb"
    return db, store.ingest(sample_dir, db)


@pytest.fixture
def loaded(sample_dir, base, data, tmp_path) -> Path:
    """A private store holding the private ``data`` copy, as if ``ingest data`` had run (saves the loading)."""
    db = tmp_path / "s.duckdb"
    shutil.copy(base[0], db)
    old, new = sample_dir.resolve().as_posix() + "/", data.resolve().as_posix() + "/"
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE files SET path = replace(path, ?, ?)", [old, new])
        con.execute("UPDATE evaluations SET source_file = replace(source_file, ?, ?)", [old, new])
    finally:
        con.close()
    return db


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    store.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def snapshot(db: Path) -> dict[str, pd.DataFrame]:
    con = store.connect(db)
    try:
        return store.dump(con)
    finally:
        con.close()


def assert_same(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    assert before.keys() == after.keys()
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = store.connect(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def set_score(path: Path, row: int, column: int, value) -> None:
    wb = load_workbook(path)
    wb["Skor"].cell(row, column, value)
    wb.save(path)


def test_ingest_twice_changes_nothing(data, tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert run(["ingest", str(data), "--db", str(db)]) == 0
    first = capsys.readouterr().out
    assert first.count("[dimuat]") == 6
    assert "6 dimuat" in first
    before = snapshot(db)
    counts = {t: len(f) for t, f in before.items()}
    assert counts["files"] == 6
    assert counts["evaluations"] == 4 + 2 + 9
    assert counts["item_scores"] > 4 * 100
    assert counts["findings"] == 12
    assert run(["ingest", str(data), "--db", str(db), "--lang", "en"]) == 0
    second = capsys.readouterr().out
    assert second.count("[skipped]") == 6
    assert "0 loaded, 0 replaced, 6 skipped, 0 with errors" in second
    assert_same(before, snapshot(db))


def test_scores_in_the_store_are_the_scoring_modules(base):
    db = base[0]

    a22, a23 = make_assessment("kab-malang", 2022), make_assessment("kab-malang", 2023)
    c22 = score_assessment(a22, mth.get(2022))
    c23 = rules.score(a23, c22.nilai_final)
    eid = store.evaluation_id("kab-malang", 2023, 2, "workbook")
    final, rounded, exact, previous, improvement, source = query(
        db,
        """
        SELECT nilai_final, nilai_final_rounded, nilai_final_exact, previous_final, improvement, previous_source
        FROM finals WHERE evaluation_id = ?""",
        [eid],
    )[0]
    assert Fraction(exact) == c23.nilai_final
    assert final == float(c23.nilai_final)
    assert rounded == c23.nilai_final_rounded
    assert improvement == c23.improvement_rounded
    assert previous == float(c22.nilai_final)
    assert source == "workbook"
    dims = dict(query(db, "SELECT dimension, score_rounded FROM dimension_scores WHERE evaluation_id = ?", [eid]))
    assert dims == c23.dimensions_rounded()
    n_scores = int(a23.scores.notna().sum().sum())
    assert query(db, "SELECT count(*) FROM item_scores WHERE evaluation_id = ?", [eid])[0][0] == n_scores
    # Surakarta has no 2022 workbook: its improvement is against the published 2022 final (1.50)
    eid = store.evaluation_id("kota-surakarta", 2023, 2, "workbook")
    exact, previous, improvement, source = query(
        db,
        """SELECT nilai_final_exact, previous_final, improvement,
        previous_source FROM finals WHERE evaluation_id = ?""",
        [eid],
    )[0]
    assert (previous, source) == (1.5, "published")
    assert improvement == round_half_up(Fraction(exact) - Fraction("1.5"))
    # Padang Panjang has no 2022 evaluation at all
    assert query(
        db,
        "SELECT improvement FROM finals WHERE evaluation_id = ?",
        [store.evaluation_id("kota-padang-panjang", 2023, 2, "workbook")],
    ) == [(None,)]


def test_ingest_order_does_not_matter(sample_dir, base, data, tmp_path):
    partial = tmp_path / "partial.duckdb"
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    shutil.move(data / "2022", hidden / "2022")
    shutil.move(data / "published" / "national-2022-tahap-2.csv", hidden / "national-2022-tahap-2.csv")
    store.ingest(data, partial)
    assert query(partial, "SELECT count(*) FROM finals WHERE previous_final IS NOT NULL") == [(0,)]
    shutil.move(hidden / "2022", data / "2022")
    shutil.move(hidden / "national-2022-tahap-2.csv", data / "published" / "national-2022-tahap-2.csv")
    report = store.ingest(data, partial)
    assert report.count("loaded") == 2
    assert report.count("skipped") == 4
    assert relative(partial, data) == relative(base[0], sample_dir)


def relative(db: Path, root: Path) -> dict[str, list[tuple]]:
    """The store's rows (but load times) with file paths relative to ``root``."""
    prefix = root.resolve().as_posix() + "/"
    out = {
        "files": query(
            db, "SELECT replace(path, ?, ''), sha256, kind, status, message FROM files ORDER BY ALL", [prefix]
        ),
        "evaluations": query(
            db, "SELECT * REPLACE (replace(source_file, ?, '') AS source_file) FROM evaluations ORDER BY ALL", [prefix]
        ),
    }
    for table in ("regions", *store.EVALUATION_TABLES):
        out[table] = query(db, f"SELECT * FROM {table} ORDER BY ALL")
    return out


def test_changed_workbook_replaces_only_its_rows(data, loaded, capsys):
    db = loaded
    before = snapshot(db)
    changed = workbook_path(data, "kota-padang-panjang", 2023)
    eid = store.evaluation_id("kota-padang-panjang", 2023, 2, "workbook")
    old = query(db, "SELECT score FROM dimension_scores WHERE evaluation_id = ? AND dimension = 'baseline'", [eid])
    wb = load_workbook(changed)
    ws = wb["Skor"]
    assert ws["A2"].value == "BL-01"
    ws["F2"] = 0 if ws["F2"].value != 0 else 4  # A1's score of the first Baseline item
    wb.save(changed)
    assert run(["ingest", str(data), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "[diganti] 2023/tahap-2/kota-padang-panjang.xlsx" in out
    assert out.count("[dilewati]") == 5
    after = snapshot(db)
    new = query(db, "SELECT score FROM dimension_scores WHERE evaluation_id = ? AND dimension = 'baseline'", [eid])
    assert new != old
    for table in store.EVALUATION_TABLES + ("evaluations",):
        others_before = before[table][before[table]["evaluation_id"] != eid].reset_index(drop=True)
        others_after = after[table][after[table]["evaluation_id"] != eid].reset_index(drop=True)
        pd.testing.assert_frame_equal(others_before, others_after, obj=table)
        assert (after[table]["evaluation_id"] == eid).sum() == (before[table]["evaluation_id"] == eid).sum()
    files = after["files"].set_index("path")
    old_files = before["files"].set_index("path")
    key = changed.resolve().as_posix()
    assert files.at[key, "sha256"] != old_files.at[key, "sha256"]
    pd.testing.assert_frame_equal(files.drop(key), old_files.drop(key))
    pd.testing.assert_frame_equal(before["regions"], after["regions"])


def test_broken_workbook_is_reported_and_changes_nothing(data, loaded, capsys):
    db = loaded
    before = snapshot(db)
    set_score(workbook_path(data, "kab-malang", 2023), 5, 7, 7)  # row 5, column G (A2)
    new = workbook_path(data, "kota-surakarta", 2024)  # a new file, never loaded, also broken
    new.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(workbook_path(data, "kota-surakarta", 2023), new)
    set_score(new, 3, 6, "tiga")
    assert run(["ingest", str(data), "--db", str(db), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "[ERROR] 2023/tahap-2/kab-malang.xlsx" in out
    assert "[ERROR] 2024/tahap-2/kota-surakarta.xlsx" in out
    assert "kab-malang.xlsx › Skor › row 5, column G (A2): score out of range — value: 7" in out
    assert "kota-surakarta.xlsx › Skor › row 3, column F (A1): score is not a whole number — value: 'tiga'" in out
    assert "2 with errors" in out
    assert_same(before, snapshot(db))
    # the earlier good rows of the broken file are still there
    eid = store.evaluation_id("kab-malang", 2023, 2, "workbook")
    assert query(db, "SELECT count(*) FROM item_scores WHERE evaluation_id = ?", [eid])[0][0] > 100


def test_a_stray_workbook_is_reported_and_not_loaded(data, loaded):
    db = loaded
    before = snapshot(db)
    (data / "copies").mkdir()
    shutil.copy(workbook_path(data, "kab-malang", 2023), data / "copies" / "malang.xlsx")
    report = store.ingest(data, db)
    [stray] = [o for o in report.outcomes if o.action == "ignored"]
    assert stray.display == "copies/malang.xlsx"
    assert stray.notes == [("stray", {})]
    assert_same(before, snapshot(db))


def test_a_second_data_folder_with_the_same_evaluation(data, loaded, tmp_path):
    db = loaded
    before = snapshot(db)
    other = tmp_path / "other"
    shutil.copytree(data, other)
    report = store.ingest(other, db)  # identical copies of loaded workbooks are skipped
    copy = next(o for o in report.outcomes if o.display == "2023/tahap-2/kab-malang.xlsx")
    assert copy.notes[0][0] == "copy_of"
    set_score(workbook_path(other, "kab-malang", 2023), 2, 6, 1)  # a different file claiming the same evaluation
    report = store.ingest(other, db)
    bad = next(o for o in report.outcomes if o.display == "2023/tahap-2/kab-malang.xlsx")
    assert bad.notes[0][0] == "duplicate_evaluation"
    assert report.exit_code == 1
    assert_same(before, snapshot(db))


def test_vanished_file_is_kept_then_pruned(data, loaded, capsys):
    db = loaded
    before = snapshot(db)
    gone = workbook_path(data, "kota-padang-panjang", 2023)
    gone.unlink()
    assert run(["ingest", str(data), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"[hilang] {gone.resolve().as_posix()}" in out
    assert "--prune" in out
    assert_same(before, snapshot(db))
    assert run(["ingest", str(data), "--db", str(db), "--prune", "--lang", "en"]) == 0
    assert "[pruned]" in capsys.readouterr().out
    eid = store.evaluation_id("kota-padang-panjang", 2023, 2, "workbook")
    for table in ("evaluations", *store.EVALUATION_TABLES):
        assert query(db, f"SELECT count(*) FROM {table} WHERE evaluation_id = ?", [eid]) == [(0,)]
    assert query(db, "SELECT count(*) FROM files") == [(5,)]
    # the region stays: its published 2023 row is still there
    assert query(db, "SELECT province FROM regions WHERE slug = 'kota-padang-panjang'") == [("Sumatera Barat",)]


def test_moved_folder_takes_over_its_evaluations(data, loaded, tmp_path):
    db = loaded
    evaluations = query(db, "SELECT evaluation_id FROM evaluations ORDER BY ALL")
    moved = Path(shutil.move(data, tmp_path / "moved"))
    report = store.ingest(moved, db)
    assert report.ok
    assert report.count("loaded") == 6
    assert report.count("missing") == 0
    assert all(o.notes and o.notes[0][0] == "moved_from" for o in report.outcomes)
    assert query(db, "SELECT evaluation_id FROM evaluations ORDER BY ALL") == evaluations
    assert {
        Path(p).parent.parent.parent.name for (p,) in query(db, "SELECT path FROM files WHERE kind = 'workbook'")
    } == {"moved"}


def test_published_table_reproduces_the_2023_ranks(tmp_path, national_csv):
    data = tmp_path / "data"
    (data / "published").mkdir(parents=True)
    shutil.copy(national_csv, data / "published" / "national-2023-tahap-2.csv")
    db = tmp_path / "s.duckdb"
    report = store.ingest(data, db)
    assert report.ok
    assert report.count("loaded") == 1
    con = store.connect(db)
    table = store.cohort_table(con, 2023, 2)
    con.close()
    assert list(table.columns[:16]) == [
        "region",
        "province",
        "category",
        "baseline",
        "output",
        "outcome",
        "impact",
        "quick_win",
        "kolaborasi",
        "nilai_final",
        "improvement",
        "participant",
        "rank_national",
        "rank_category",
        "rank_province",
        "source",
    ]
    got = {r.region: (r.rank_national, r.rank_category) for r in table.itertuples() if r.participant}
    assert got == EXPECTED_RANKS
    by_region = table.set_index("region")
    assert by_region.at["Kota Surakarta", "rank_national"] == 1
    assert by_region.at["Kab. Malang", "rank_national"] == 3
    assert by_region.at["Kab. Malang", "improvement"] == 0.44
    assert by_region.at["Kab. Malang", "kolaborasi"] == 2.53
    assert pd.isna(by_region.at["Kab. Kutai Barat", "improvement"])
    assert table.iloc[-1]["region"] == "Kota Pekalongan"
    assert not table.iloc[-1]["participant"]
    assert pd.isna(table.iloc[-1]["rank_national"])
    assert table["from_rounded_inputs"].all()
    assert (table["source"] == "published").all()
    assert table["rank_province"].notna()[table["participant"]].all()  # provinces from the Kemendagri register
    assert by_region.at["Kab. Kutai Barat", "province"] == "Kalimantan Timur"


def test_bad_published_tables_are_reported(tmp_path):
    published = tmp_path / "data" / "published"
    published.mkdir(parents=True)
    (published / "hasil-2023.csv").write_text(PUBLISHED_2022, encoding="utf-8")
    (published / "national-2022-tahap-2.csv").write_text(PUBLISHED_2022.replace("1.5,-", "5.5,-"), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    report = store.ingest(tmp_path / "data", db)
    assert report.count("error") == 2
    assert report.exit_code == 1
    text = report.format("en")
    assert "national-<year>-tahap-<1|2>.csv" in text
    assert "score out of range" in text
    assert "'5.5'" in text
    assert query(db, "SELECT count(*) FROM evaluations") == [(0,)]


def test_cohort_table_prefers_the_workbook(base):
    con = store.connect(base[0])
    try:
        both = con.execute(
            "SELECT source FROM evaluations WHERE region_slug = 'kab-malang' AND year = 2023 ORDER BY source"
        ).fetchall()
        workbook_final = con.execute(
            "SELECT nilai_final_rounded FROM finals WHERE evaluation_id = ?",
            [store.evaluation_id("kab-malang", 2023, 2, "workbook")],
        ).fetchone()[0]
        table = store.cohort_table(con, 2023, 2)
        kppn = store.cohort_table(con, 2023, 2, "KPPN&IKN")
        history = store.region_history(con, "kab-malang")
        outcome = store.dimension_across_regions(con, 2023, 2, "outcome")
        found = store.findings(con, "kab-malang", 2023, 2)
        with pytest.raises(ValueError, match="unknown dimension"):
            store.dimension_across_regions(con, 2023, 2, "governance")
    finally:
        con.close()
    assert both == [("published",), ("workbook",)]
    assert table["region"].is_unique
    assert len(table) == 9
    malang = table.set_index("region").loc["Kab. Malang"]
    assert malang["source"] == "workbook"
    assert Decimal(str(malang["nilai_final"])) == workbook_final
    assert malang["province"] == "Jawa Timur"
    assert malang["rank_province"] == 1
    assert set(table[table["source"] == "workbook"]["region"]) == {
        "Kab. Malang",
        "Kota Padang Panjang",
        "Kota Surakarta",
    }
    assert set(kppn["category"]) == {"KPPN&IKN"}
    assert (
        kppn.set_index("region")["rank_national"].to_dict()
        == table[table["category"] == "KPPN&IKN"].set_index("region")["rank_national"].to_dict()
    )
    assert list(kppn["rank_category"].dropna()) == sorted(kppn["rank_category"].dropna())
    assert list(history[["year", "source"]].itertuples(index=False, name=None)) == [
        (2022, "workbook"),
        (2023, "workbook"),
    ]
    assert list(history.columns) == [
        "year",
        "stage",
        "category",
        "source",
        "participant",
        "baseline",
        "output",
        "outcome",
        "impact",
        "quick_win",
        "kolaborasi",
        "nilai_final",
        "improvement",
    ]
    assert len(outcome) == 8
    assert outcome["rank"].iloc[0] == 1
    assert "Kota Pekalongan" not in set(outcome["region"])
    assert list(found["kind"]) == ["kekuatan", "kelemahan", "rekomendasi"]
    assert found["name"].iloc[0] == "Dr. Rina Kartika"


def test_connect(tmp_path):
    with pytest.raises(store.StoreError, match="ingest"):
        store.connect(tmp_path / "none.duckdb")
    con = store.connect(tmp_path / "new.duckdb", read_only=False)
    con.close()
    con = store.connect(tmp_path / "new.duckdb")
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (store.SCHEMA_VERSION,)
        with pytest.raises(Exception, match="read-only"):
            con.execute("DELETE FROM files")
    finally:
        con.close()


def test_store_errors_speak_the_users_language(tmp_path, capsys):
    with pytest.raises(store.StoreError) as exc:
        store.connect(tmp_path / "none.duckdb")
    assert str(exc.value).startswith("basis data evaluasi")
    assert exc.value.key == "no_store"
    assert store.store_error_message(exc.value, "x", "en").startswith("the evaluation store")
    with pytest.raises(FileNotFoundError, match="folder data tidak ditemukan"):
        store.ingest(tmp_path / "nowhere", tmp_path / "s.duckdb")
    assert run(["ingest", str(tmp_path / "nowhere"), "--db", str(tmp_path / "s.duckdb"), "--lang", "en"]) == 1
    assert "data folder not found" in capsys.readouterr().err


def test_a_value_the_database_refuses_rolls_back_the_file(tmp_path):
    published = tmp_path / "data" / "published"
    published.mkdir(parents=True)
    (published / "national-2022-tahap-2.csv").write_text(PUBLISHED_2022, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    con = duckdb.connect(str(db))  # a store whose finals refuse a Nilai Final above 1.3 (Surakarta has 1.5)
    for statement in schema.ddl():
        if statement.startswith("CREATE TABLE IF NOT EXISTS finals"):
            statement = statement.replace("PRIMARY KEY", "CHECK (nilai_final < 1.3), PRIMARY KEY")
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [store.SCHEMA_VERSION])
    con.close()
    report = store.ingest(tmp_path / "data", db)
    assert report.exit_code == 1
    assert report.outcomes[0].notes[0][0] == "failed"
    assert "nilai_final < 1.3" in report.format("en")
    for table in store.TABLES:
        assert query(db, f"SELECT count(*) FROM {table}") == [(0,)], table


def test_the_question_bank_explains_item_ids(base):
    con = store.connect(base[0])
    try:
        question = con.execute(
            "SELECT dimension, pillar, sub_dimension, indicator, question FROM questions "
            "WHERE year = 2023 AND item_id = 'IM-ECO-IND-1'"
        ).fetchone()
        per_year = dict(con.execute("SELECT year, count(*) FROM questions GROUP BY year").fetchall())
        explained = con.execute(
            "SELECT region, value, scores, spread, question FROM item_results "
            "WHERE evaluation_id = ? AND item_id = 'BL-01'",
            [store.evaluation_id("kab-malang", 2023, 2, "workbook")],
        ).fetchone()
        items = store.item_results(con, 2023, 2)
    finally:
        con.close()
    item = mth.get(2023).items_by_id["IM-ECO-IND-1"]
    assert question == ("impact", "economy", "industri", item.indicator, item.question)
    assert per_year == {y: sum(len(d.items) for d in mth.get(y).dimensions) for y in mth.years()}
    malang = make_assessment("kab-malang", 2023)
    scores = [int(v) for v in malang.scores.loc["BL-01"].dropna()]
    assert explained[0] == "Kab. Malang"
    assert explained[2] == scores
    assert explained[3] == max(scores) - min(scores)
    assert explained[4] == mth.get(2023).items_by_id["BL-01"].question
    assert explained[1] == pytest.approx(float(score_assessment(malang, mth.get(2023)).items["BL-01"]))
    assert set(items["region"]) == {"Kab. Malang", "Kota Padang Panjang", "Kota Surakarta"}
    assert items["question"].notna().all()


def test_ingest_rewrites_the_question_bank_only_when_it_changed(data, tmp_path):
    db = tmp_path / "s.duckdb"
    store.ingest(data, db)
    con = store.connect(db, read_only=False)
    try:
        con.execute("DELETE FROM questions WHERE year = 2024")
        assert loading.sync_questions(con) is True
        assert loading.sync_questions(con) is False
        counts = con.execute("SELECT count(*) FROM questions WHERE year = 2024").fetchone()
    finally:
        con.close()
    assert counts == (sum(len(d.items) for d in mth.get(2024).dimensions),)


def test_region_history_of_an_unknown_region_says_so(base):
    con = store.connect(base[0])
    try:
        with pytest.raises(store.UnknownRegion) as similar:
            store.region_history(con, "kab-malangg")
        with pytest.raises(store.UnknownRegion) as nothing:
            store.region_history(con, "kota-atlantis")
    finally:
        con.close()
    assert (
        str(similar.value)
        == "daerah kab-malangg tidak ada di basis data evaluasi; yang mirip: Kab. Malang (kab-malang)"
    )
    assert nothing.value.message("en") == "region kota-atlantis is not in the evaluation store"


def test_a_snapshot_is_a_copy_that_lets_the_file_go(loaded, data):
    copy = store.snapshot(loaded)
    try:
        writer = store.connect(loaded, read_only=False)  # the file is free while the copy is open
        writer.execute("DELETE FROM findings")
        writer.close()
        kept = copy.execute("SELECT count(*) FROM findings").fetchone()[0]
        history = store.region_history(copy, "kab-malang")
    finally:
        copy.close()
    assert kept > 0
    assert list(history["year"]) == [2022, 2023]
    assert query(loaded, "SELECT count(*) FROM findings") == [(0,)]


def test_a_store_being_written_is_waited_for_and_then_reported(loaded):
    import subprocess
    import sys
    import time

    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(float(sys.argv[2])); c.close()"
    )
    told = []
    writer = subprocess.Popen([sys.executable, "-c", hold, str(loaded), "1.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "held\n"
        started = time.monotonic()
        copy = store.snapshot(loaded, wait=30, on_wait=told.append)
        waited = time.monotonic() - started
        copy.close()
    finally:
        writer.wait(timeout=30)
    assert [m.key for m in told] == ["store.waiting"]
    assert f"(PID {writer.pid})" in told[0].text("id")
    assert waited > 0.5
    writer = subprocess.Popen([sys.executable, "-c", hold, str(loaded), "5"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "held\n"
        with pytest.raises(store.StoreError) as busy:
            store.snapshot(loaded, wait=0.3)
        assert run(["ingest", str(loaded.parent / "data"), "--db", str(loaded), "--wait", "0"]) == 1
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert busy.value.key == "busy"
    assert str(busy.value).startswith(f"basis data {loaded} masih dipakai proses lain (PID {writer.pid})")
    assert "IO Error" not in str(busy.value)


def test_a_version_1_store_is_upgraded_by_ingest(data, tmp_path):
    db = tmp_path / "old.duckdb"
    store.ingest(data, db)
    con = duckdb.connect(str(db))
    con.execute("DROP VIEW item_results")
    con.execute("DROP TABLE questions")
    con.execute("UPDATE meta SET value = '1'")
    con.close()
    with pytest.raises(store.StoreError) as outdated:
        store.snapshot(db)
    report = store.ingest(data, db)
    assert outdated.value.key == "outdated"
    assert report.count("skipped") == len(loading.scan(data))
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(store.SCHEMA_VERSION,)]
    assert query(db, "SELECT count(*) > 0 FROM item_results") == [(True,)]
