"""Synthetic cohorts: valid workbooks for real regions, reproducible from the seed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from smartcity_eval.inputs import register
from smartcity_eval.inputs.synth import RegionTask, TemplateWriter, main, make_assessment, sample_regions, synthesize
from smartcity_eval.inputs.validation import validate
from smartcity_eval.inputs.workbook import write_assessment
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.scoring import score_assessment

SEED = 11


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("synth")
    return out, synthesize(6, 2024, 2, SEED, out)


@pytest.fixture(scope="module")
def results(cohort):
    return {p: validate(p) for p in cohort[1]}


def frames(assessment) -> dict[str, object]:
    return {
        "profile": assessment.profile,
        "assessors": assessment.assessors,
        "scores": assessment.scores,
        "survey": assessment.survey,
        "programmes": assessment.programmes,
        "action_plan": assessment.action_plan,
        "findings": assessment.findings,
    }


def assert_same(a, b) -> None:
    fa, fb = frames(a), frames(b)
    assert fa["profile"] == fb["profile"]
    for key in ("assessors", "scores", "programmes", "action_plan", "findings"):
        pd.testing.assert_frame_equal(fa[key], fb[key])
    pd.testing.assert_series_equal(fa["survey"], fb["survey"])


def test_layout_and_previous_year(cohort):
    out, paths = cohort
    assert len(paths) == 12
    this_year, last_year = paths[:6], paths[6:]
    assert all(p.parent == out / "2024" / "tahap-2" for p in this_year)
    assert [p.name for p in last_year] == [p.name for p in this_year]
    assert all(p.parent == out / "2023" / "tahap-2" for p in last_year)
    assert all(p.is_file() for p in paths)


def test_every_file_validates_without_errors(results):
    for path, result in results.items():
        assert result.ok, result.summary("en")
        assert {w.code for w in result.warnings} <= {"partial_panel", "unscored_item", "dispute_open"}, path


def test_real_regions_that_pass_the_register(results):
    for path, result in results.items():
        p = result.assessment.profile
        assert register.check_profile(p.region_code, p.region, p.province) == []
        assert path.stem == p.slug
        assert register.lookup(p.region_code).name == p.region


def test_both_categories_and_plausible_content(results):
    assessments = [r.assessment for r in results.values()]
    assert {a.profile.category for a in assessments} == {"REGULER", "KPPN&IKN"}
    for a in assessments:
        assert 4 <= len(a.assessors) <= 5
        assert a.assessors["name"].is_unique
        assert a.assessors["affiliation"].is_unique
        values = a.scores.stack().dropna().astype(int)
        assert values.between(0, 4).all()
        assert values.nunique() >= 3
        assert 10 <= len(a.programmes) <= 130
        assert set(a.programmes["status"]) <= {"berjalan", "belum_berjalan", "terhenti"}
        assert set(a.action_plan["category"]) == {c.key for c in mth.get(a.profile.year).action_plan_categories}
        assert (a.action_plan["done"] <= a.action_plan["planned"]).all()
        for code in a.assessors.index:
            kinds = set(a.findings.loc[a.findings["assessor"] == code, "kind"])
            assert kinds == {"kekuatan", "kelemahan", "rekomendasi"}
        card = score_assessment(a, mth.get(a.profile.year))
        assert 0 <= card.nilai_final <= 4
    assert any(a.scores.isna().any().any() for a in assessments)  # occasional unscored cells
    finals = [score_assessment(a, mth.get(a.profile.year)).nilai_final for a in assessments]
    assert len(set(finals)) == len(finals)


def test_same_seed_same_files(cohort, results, tmp_path):
    out, paths = cohort
    again = synthesize(6, 2024, 2, SEED, tmp_path)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(out) for p in paths]
    for first, second in zip(paths, again, strict=True):
        assert_same(results[first].assessment, validate(second).assessment)
        assert first.read_bytes() == second.read_bytes()


def test_different_seed_differs(cohort, results, tmp_path):
    _, paths = cohort
    other = synthesize(6, 2024, 2, SEED + 1, tmp_path, previous=False)
    assert len(other) == 6
    if [p.name for p in other] == [p.name for p in paths[:6]]:
        first = results[paths[0]].assessment.scores
        assert not first.equals(validate(other[0]).assessment.scores)


def test_workers_do_not_change_the_files(tmp_path):
    one = synthesize(3, 2023, 1, 5, tmp_path / "one", previous=False, workers=1)
    two = synthesize(3, 2023, 1, 5, tmp_path / "two", previous=False, workers=2)
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]
    assert all(p.parent.name == "tahap-1" and p.parent.parent.name == "2023" for p in one)


@pytest.mark.parametrize(("year", "category"), [(2022, "KPPN&IKN"), (2023, "KPPN&IKN"), (2024, "REGULER")])
def test_template_writer_matches_write_assessment(tmp_path, year, category):
    region = register.lookup("13.74")
    writer = TemplateWriter()
    for i, seed in enumerate((1, 2)):  # the second file is written from a reused template
        task = RegionTask(
            region.code, region.name, region.province, category, "2021", year, 2, seed, str(tmp_path), False
        )
        a = make_assessment(task, year, 2)
        fast = writer.write(a, tmp_path / f"fast-{i}.xlsx")
        slow = write_assessment(a, tmp_path / f"slow-{i}.xlsx")
        assert_same(validate(fast).assessment, validate(slow).assessment)
    stamp = datetime(2024, 11, 15, 9)
    assert (
        writer.write(a, tmp_path / "f.xlsx", timestamp=stamp).read_bytes()
        == write_assessment(a, tmp_path / "s.xlsx", timestamp=stamp).read_bytes()
    )


def test_no_previous_year_without_methodology(tmp_path):
    paths = synthesize(2, 2022, 2, 3, tmp_path)
    assert len(paths) == 2
    assert not (tmp_path / "2021").exists()


def test_sampling_shares_and_limits():
    picked = sample_regions(100, 4)
    assert picked["code"].is_unique
    assert len(picked) == 100
    assert (picked["category"] == "KPPN&IKN").sum() == 25
    assert sample_regions(1, 4)["category"].tolist() == ["REGULER"]
    with pytest.raises(ValueError, match="514"):
        sample_regions(515, 4)
    with pytest.raises(ValueError, match="2019"):
        synthesize(2, 2019, 2, 1, Path("unused"))


def test_command_line(tmp_path, capsys):
    assert (
        main(
            ["--regions", "2", "--year", "2023", "--stage", "2", "--seed", "9", "--out", str(tmp_path), "--no-previous"]
        )
        == 0
    )
    assert "2 berkas" in capsys.readouterr().out
    assert len(list((tmp_path / "2023" / "tahap-2").glob("*.xlsx"))) == 2
    assert main(["--regions", "2", "--year", "2030", "--out", str(tmp_path)]) == 1
    assert "tidak ada metodologi untuk 2030" in capsys.readouterr().err
    assert main(["--regions", "600", "--year", "2023", "--out", str(tmp_path), "--lang", "en"]) == 1
    assert "--regions must be between 1 and 514" in capsys.readouterr().err
