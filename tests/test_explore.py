"""The analysts' workspace without a browser: what each view computes, how it is shown, how the store is opened."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE
from smartcity_eval.reports import datatable, explore
from smartcity_eval.results import store


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """The sample folder (full 2023 table, six regions' workbooks) in a store of its own."""
    path = tmp_path_factory.mktemp("explore") / "s.duckdb"
    assert store.ingest(SAMPLE, path).ok
    return path


@pytest.fixture(scope="module")
def ws(db) -> explore.Workspace:
    """A workspace on that store, in Indonesian, starting at 2023 Tahap II and Kab. Malang."""
    workspace = explore.open_workspace(db, SAMPLE, year=2023, stage=2, region="kab-malang")
    yield workspace
    workspace.close()


def test_cells_read_as_people_read_them():
    frame = pd.DataFrame({"region": ["Kota Padang Panjang", None], "nilai_final": [2.405, float("nan")]})
    frame["improvement"] = [-0.39, 0.44]
    specs = {"region": ("Kab/Kota", "text"), "nilai_final": ("Nilai Final", "score"), "improvement": ("+/-", "signed")}
    shown = datatable.shown(frame, specs, "id")
    assert list(shown.columns) == ["Kab/Kota", "Nilai Final", "+/-"]
    assert shown.values.tolist() == [["Kota Padang Panjang", "2,41", "-0,39"], ["-", "-", "+0,44"]]
    assert datatable.shown(frame, specs, "en").iloc[0, 1] == "2.41"


def test_headers_come_from_the_methodology_and_the_catalogue():
    assert explore.column_specs(["quick_win", "kolaborasi", "rank_province"], "id", 2023) == {
        "quick_win": ("Quick Wins", "score"),
        "kolaborasi": ("Kolaborasi", "score"),
        "rank_province": ("Peringkat provinsi", "whole"),
    }
    assert explore.column_specs(["kolaborasi"], "en", 2023)["kolaborasi"] == ("Collaboration", "score")
    assert explore.column_specs(["kolaborasi"], "id", 2022)["kolaborasi"] == ("Kolaborasi", "score")  # not in 2022


def test_an_interactive_table_works_offline_with_decimal_commas():
    table = datatable.shown(pd.DataFrame({"x": [2.41]}), {"x": ("Nilai Final", "score")}, "id")
    html = datatable.interactive(table, "id", name="t", table_id="t1").data
    for fetch in ('src="http', "from 'http", 'from "http', "<link", "import("):
        assert fetch not in html  # no library from a CDN: the page has it (datatable.init)
    assert '"decimal": ","' in html or '"decimal":","' in html
    assert "Unduh CSV" in html
    assert "2,41" in html


def test_the_national_table_marks_non_participants(ws):
    cohort = explore.shown_cohort(ws.cohort(2023, 2))
    pekalongan = cohort.set_index("region").loc["Kota Pekalongan"]
    assert not pekalongan["participant"]
    assert pd.isna(pekalongan["nilai_final"])  # its published zeros are not scores
    assert pd.isna(pekalongan["rank_national"])
    assert len(cohort) == 134
    assert int(cohort["participant"].sum()) == 133


def test_where_the_points_are(ws):
    points = explore.points_table(ws.cohort(2023, 2), 2023).set_index(["category", "dimension"])
    outcome = points.loc[("REGULER", "outcome")]
    reguler = ws.cohort(2023, 2).query("participant and category == 'REGULER'")
    median = reguler["outcome"].median()
    assert outcome["weight"] == 30
    assert outcome["regions"] == len(reguler) == 75
    assert outcome["median"] == pytest.approx(median)
    assert outcome["left"] == pytest.approx(0.3 * (4 - median))
    assert ("REGULER", "kolaborasi") not in points.index  # no weight for REGULER
    assert points.loc["KPPN&IKN"].index[0] == "output"  # the most points left


def test_who_rose_leaves_out_falls_and_non_participants(ws):
    rose = explore.improvers(ws.cohort(2023, 2), n=200)
    assert (rose["improvement"] > 0).all()
    assert rose.iloc[0]["region"] == "Kab. Toba"
    assert "Kota Padang Panjang" not in set(rose["region"])  # fell by 0,39


def test_assessor_disagreement(ws):
    items = ws.items(2023, 2)
    by_region = explore.disagreement_by_region(items).set_index("region_slug")
    malang = items[items["region_slug"] == "kab-malang"].dropna(subset=["spread"])
    assert by_region.loc["kab-malang", "items"] == len(malang)
    assert by_region.loc["kab-malang", "disputed"] == int((malang["spread"] >= 2).sum())
    worst = explore.disputed_items(items, "kab-malang", n=3)
    assert list(worst["spread"]) == sorted(malang["spread"], reverse=True)[:3]
    assert worst["question"].notna().all()


def test_a_region_that_never_took_part_has_no_chart(ws):
    history = store.region_history(ws.con, "kota-pekalongan")
    assert explore.history_chart(history, "id", 2023) is None
    chart = explore.history_chart(store.region_history(ws.con, "kota-padang-panjang"), "id", 2023)
    assert "2023 Tahap II 2,41" in chart.alt


def test_pickers_follow_each_other(ws):
    ws.choose(year=2023, stage=2, category="", province="")
    assert ws.selection().region == "kab-malang"
    sel = ws.choose(category="REGULER")
    regions = [value for _, value in ws.options("region")]
    assert "kab-malang" not in regions  # KPPN&IKN
    assert sel.region == regions[0]
    ws.choose(province="Sumatera Barat")
    sumbar = ws.cohort(2023, 2).query("category == 'REGULER' and province == 'Sumatera Barat'")
    assert sorted(value for _, value in ws.options("region")) == sorted(sumbar["region_slug"])
    assert "kota-padang-panjang" in set(sumbar["region_slug"])
    assert ws.choose(region="kota-padang-panjang").region == "kota-padang-panjang"
    assert [label for label, _ in ws.options("stage")] == ["Tahap II"]
    assert ws.choose(year=2024).stage == 2
    assert [label for label, _ in ws.options("stage")] == ["Tahap I", "Tahap II"]
    ws.choose(year=2023, category="", province="", region="kota-pekalongan")
    assert ("Kota Pekalongan (tidak ikut)", "kota-pekalongan") in ws.options("region")


def test_summary_prints_the_figures(ws, capsys):
    ws.summary()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2023 Tahap II: 134 daerah, 133 peserta, 1 tidak ikut; median Nilai Final peserta 2,93"
    assert lines[1] == "Nilai Final tertinggi KPPN&IKN: Kota Surakarta 3,84"


def test_opening_reads_without_writing_and_can_be_repeated(db, tmp_path):
    copy = tmp_path / "s.duckdb"
    shutil.copy(db, copy)
    before = (copy.stat().st_mtime_ns, copy.stat().st_size)
    first = explore.open_workspace(copy, SAMPLE)
    second = explore.open_workspace(copy, SAMPLE)  # a re-run of the cell
    writer = store.connect(copy, read_only=False)  # an ingest can write meanwhile
    writer.close()
    try:
        assert len(first.cohort(2023, 2)) == len(second.cohort(2023, 2)) == 134
    finally:
        first.close()
        second.close()
    assert (copy.stat().st_mtime_ns, copy.stat().st_size) == before


def test_a_missing_store_is_built_first(tmp_path):
    data = Path(shutil.copytree(SAMPLE / "published", tmp_path / "data" / "published"))
    db = tmp_path / "out" / "s.duckdb"
    ws = explore.open_workspace(db, data.parent, lang="en")
    try:
        assert ws.evaluated() == [(2022, 2), (2023, 2)]
    finally:
        ws.close()
    con = store.connect(db)
    try:
        kinds = store.dump(con, ["files"])["files"]["kind"].tolist()
    finally:
        con.close()
    assert kinds == ["published", "published"]


def test_refreshing_loads_the_data_folder_and_shows_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE / "published", data / "published")
    ws = explore.open_workspace(tmp_path / "s.duckdb", data, region="kota-padang-panjang")
    try:
        before = store.region_history(ws.con, "kota-padang-panjang")
        workbook = data / "2024" / "tahap-2" / "kota-padang-panjang.xlsx"
        workbook.parent.mkdir(parents=True)
        shutil.copy(SAMPLE / "2024" / "tahap-2" / "kota-padang-panjang.xlsx", workbook)
        note = ws.refresh().data
        after = store.region_history(ws.con, "kota-padang-panjang")
        years = [label for label, _ in ws.options("year")]
    finally:
        ws.close()
    assert list(before["year"]) == [2022, 2023]
    assert "Ringkasan: 1 dimuat, 0 diganti, 2 dilewati" in note
    assert list(after[["year", "source"]].itertuples(index=False, name=None))[-1] == (2024, "workbook")
    assert years == ["2022", "2023", "2024"]  # the pickers offer what was loaded


def test_the_dashboard_listens_on_this_computer_only_and_takes_the_language(tmp_path):
    import argparse

    import nbformat

    from smartcity_eval.batch import dashboard

    parser = argparse.ArgumentParser()
    dashboard.add_parser(parser.add_subparsers())
    args = parser.parse_args(["dashboard", "--lang", "en"])
    command = dashboard.voila_command(Path("x.ipynb"), ip=args.ip, port=args.port, token="", open_browser=False)
    copy = dashboard.parameterised(dashboard.notebooks_dir() / "explore.ipynb", tmp_path, {"lang": args.lang})
    injected = [
        c for c in nbformat.read(copy, as_version=4).cells if "injected-parameters" in c.metadata.get("tags", [])
    ]
    assert args.ip == "127.0.0.1"
    assert "--Voila.ip=127.0.0.1" in command
    assert "--template=smartcity" in command
    assert injected[0].source.splitlines()[-1] == 'lang = "en"'
    assert (dashboard.JUPYTER_DIR / "voila" / "templates" / "smartcity" / "index.html.j2").is_file()
