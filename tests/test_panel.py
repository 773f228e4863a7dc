"""The assessor panel: one workbook per assessor, merged into the panel's; disputes, moderation and its copy."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SAMPLE
from smartcity_eval.batch.check import check_region
from smartcity_eval.batch.records import BatchResult, RegionJob, RegionResult
from smartcity_eval.batch.runner import summary_table
from smartcity_eval.cli import main
from smartcity_eval.inputs.panel import MergeError, PanelError, merge, moderation_copy, write_panel
from smartcity_eval.inputs.validation import load, validate
from smartcity_eval.inputs.workbook import write_assessment
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.moderation import disputed, open_disputes
from smartcity_eval.method.scoring import item_values, score_assessment
from workbooks import edit

PANEL = SAMPLE / "2024" / "tahap-2" / "kota-padang-panjang.xlsx"
ASSESSORS = sorted((SAMPLE / "assessors" / "2024" / "tahap-2" / "kota-padang-panjang").glob("A*.xlsx"))


@pytest.fixture(scope="module")
def panel():
    """The sample panel workbook of Kota Padang Panjang 2024 Tahap II, loaded."""
    return load(PANEL)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def own_workbooks(assessment, folder: Path, codes=("A1", "A2")) -> list[Path]:
    """Each of ``codes``'s own workbook of ``assessment`` in ``folder``."""
    return [write_assessment(assessment, folder / f"{code}.xlsx", assessor=code) for code in codes]


# ----------------------------------------------------------------------------------------------- one workbook each


def test_an_assessors_template_has_only_their_column(tmp_path):
    out = tmp_path / "A2.xlsx"
    argv = ["template", "--year", "2024", "--stage", "2", "--category", "REGULER", "-o", str(out)]
    assert main([*argv, "--assessor", "a2", "--assessor-name", "Dr. Rina Kartika"]) == 0
    wb = load_workbook(out)
    assert [c.value for c in wb["Skor"][1]][5:] == ["A2"]


def test_an_assessors_template_names_them_in_asesor(tmp_path):
    out = tmp_path / "A2.xlsx"
    argv = ["template", "--year", "2024", "--stage", "2", "--category", "REGULER", "-o", str(out)]
    main([*argv, "--assessor", "A2", "--assessor-name", "Dr. Rina Kartika", "--assessor-affiliation", "Unand"])
    rows = [[c.value for c in row] for row in load_workbook(out)["Asesor"].iter_rows(min_row=2)]
    assert rows == [["A2", "Dr. Rina Kartika", "Unand"]]


def test_an_assessors_template_needs_a_code_and_a_name(tmp_path, capsys):
    argv = ["template", "--year", "2024", "--stage", "2", "--category", "REGULER", "-o", str(tmp_path / "x.xlsx")]
    assert main([*argv, "--assessor", "A9", "--assessor-name", "X"]) == 1
    assert "--assessor" in capsys.readouterr().err
    assert main([*argv, "--assessor", "A2"]) == 1


def test_validate_accepts_an_assessors_workbook():
    result = validate(ASSESSORS[1])
    assert (result.ok, list(result.assessment.scores.columns)) == (True, ["A2"])


# ----------------------------------------------------------------------------------------------- merging


def test_merging_the_sample_assessor_workbooks_gives_the_sample_panels_scores(panel):
    pd.testing.assert_frame_equal(merge(ASSESSORS).scores, panel.scores)


def test_merging_keeps_the_region_data_and_every_finding_with_its_assessor(panel):
    merged = merge(list(reversed(ASSESSORS)))  # the order of the files does not matter
    pd.testing.assert_frame_equal(merged.programmes, panel.programmes)
    pd.testing.assert_frame_equal(merged.action_plan, panel.action_plan)
    pd.testing.assert_frame_equal(merged.findings, panel.findings)
    pd.testing.assert_frame_equal(merged.assessors, panel.assessors)


def test_the_merged_workbook_reads_back_as_the_panel(tmp_path, panel, capsys):
    out = tmp_path / "panel.xlsx"
    assert main(["merge", *map(str, ASSESSORS), "-o", str(out)]) == 0
    assert "5 asesor (A1, A2, A3, A4, A5), 2 butir sengketa" in capsys.readouterr().out
    pd.testing.assert_frame_equal(load(out).scores, panel.scores)


def test_merging_twice_gives_the_same_bytes_and_leaves_the_inputs_alone(tmp_path):
    before = [sha(p) for p in ASSESSORS]
    write_panel(ASSESSORS, tmp_path / "one.xlsx")
    write_panel(ASSESSORS, tmp_path / "two.xlsx")
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    assert [sha(p) for p in ASSESSORS] == before


def test_merging_over_an_input_is_refused(tmp_path):
    [a1, a2] = [Path(p) for p in (ASSESSORS[0], ASSESSORS[1])]
    copy = tmp_path / a1.name
    copy.write_bytes(a1.read_bytes())
    with pytest.raises(PanelError, match="masukan tidak pernah ditimpa"):
        write_panel([copy, a2], copy)
    assert sha(copy) == sha(a1)


def test_two_regions_are_refused_naming_both_files(tmp_path, panel):
    profile = dataclasses.replace(panel.profile, region="Kota Payakumbuh", region_code="13.76")
    [a1] = own_workbooks(panel, tmp_path / "padang", ["A1"])
    [a2] = own_workbooks(dataclasses.replace(panel, profile=profile), tmp_path / "payakumbuh", ["A2"])
    with pytest.raises(MergeError) as exc:
        merge([a1, tmp_path / "payakumbuh" / "A2.xlsx"])
    first = exc.value.problems[0]
    assert (first.file, first.sheet, first.row, first.code) == ("A2.xlsx", "Profil", 2, "merge_profile")
    assert "Kota Padang Panjang, seperti di A1.xlsx" in first.format()


def test_two_files_claiming_a2_are_refused_naming_both(tmp_path, panel):
    one = own_workbooks(panel, tmp_path / "one", ["A2"])[0]
    two = own_workbooks(panel, tmp_path / "two", ["A2"])[0]
    with pytest.raises(MergeError) as exc:
        merge([one, two])
    [problem] = exc.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("Asesor", 2, "A", "A2")
    assert str(one) in problem.format("en") and str(two) in problem.format("en")


def test_two_texts_for_one_programme_row_are_refused_at_the_row(tmp_path, panel):
    programmes = panel.programmes.copy()
    programmes.loc[2, "name"] = "Nama lain"
    a1 = own_workbooks(panel, tmp_path, ["A1"])[0]
    a2 = own_workbooks(dataclasses.replace(panel, programmes=programmes), tmp_path, ["A2"])[0]
    with pytest.raises(MergeError) as exc:
        merge([a1, a2])
    [problem] = exc.value.problems
    assert (problem.file, problem.sheet, problem.row, problem.header) == ("A2.xlsx", "Program", 4, "Nama program")
    assert problem.format("en").endswith(f"expected: {panel.programmes.loc[2, 'name']}, as in A1.xlsx")


def test_the_merge_command_lists_what_stops_it(tmp_path, panel, capsys):
    one = own_workbooks(panel, tmp_path / "one", ["A2"])[0]
    two = own_workbooks(panel, tmp_path / "two", ["A2"])[0]
    assert main(["merge", str(one), str(two), "-o", str(tmp_path / "p.xlsx"), "--lang", "en"]) == 1
    assert "this assessor code is also used in" in capsys.readouterr().err
    assert not (tmp_path / "p.xlsx").exists()


# ----------------------------------------------------------------------------------------------- disputes


def test_the_sample_panel_has_two_disputed_items(panel):
    assert disputed(panel.scores, panel.survey).to_dict() == {"OP-03": 2, "QW-05": 3}


def test_a_survey_average_takes_an_item_out_of_the_disputes():
    scores = pd.DataFrame({"A1": [0, 1], "A2": [4, 2]}, index=["IM-1", "OP-1"], dtype="Int64")
    assert list(disputed(scores, pd.Series({"IM-1": 2.5}))) == []


def test_validate_warns_on_each_unmoderated_dispute_and_passes(capsys):
    result = validate(PANEL)
    [warning] = [p for p in result.warnings if p.code == "dispute_open"]
    assert (warning.sheet, warning.row, warning.value) == ("Moderasi", 2, "OP-03")
    assert main(["validate", str(PANEL)]) == 0
    out = capsys.readouterr().out
    assert "butir sengketa belum dimoderasi: skor A1 1 · A2 2 · A3 2 · A4 3 · A5 3, selisih 2" in out


def test_a_moderated_score_outside_0_4_is_a_located_error(tmp_path):
    copy = tmp_path / "kota-padang-panjang.xlsx"
    copy.write_bytes(PANEL.read_bytes())
    [problem] = validate(edit(copy, lambda wb: wb["Moderasi"].cell(3, 6, 5))).errors
    assert (problem.code, problem.sheet, problem.row, problem.column, problem.value) == (
        "score_range",
        "Moderasi",
        3,
        "F",
        5,
    )


def test_an_agreed_score_needs_a_reason(tmp_path):
    copy = tmp_path / "kota-padang-panjang.xlsx"
    copy.write_bytes(PANEL.read_bytes())
    [problem] = validate(edit(copy, lambda wb: wb["Moderasi"].cell(2, 6, 2))).errors
    assert (problem.code, problem.row, problem.column) == ("moderation_reason", 2, "G")


def test_a_moderation_of_an_unknown_item_is_an_error(tmp_path):
    copy = tmp_path / "kota-padang-panjang.xlsx"
    copy.write_bytes(PANEL.read_bytes())
    [problem] = validate(edit(copy, lambda wb: wb["Moderasi"].cell(2, 1, "XX-99"))).errors
    assert (problem.code, problem.row, problem.value) == ("moderation_item", 2, "XX-99")


# ----------------------------------------------------------------------------------------------- scoring


def test_an_agreed_score_replaces_the_panel_mean():
    scores = pd.DataFrame({"A1": [1, 3], "A2": [4, 3]}, index=["QW-05", "QW-06"], dtype="Int64")
    values = item_values(scores, agreed=pd.Series({"QW-05": 2}))
    assert values.to_dict() == {"QW-05": Fraction(2), "QW-06": Fraction(3)}


def test_a_survey_average_still_replaces_an_agreed_score():
    scores = pd.DataFrame({"A1": [1], "A2": [4]}, index=["IM-1"], dtype="Int64")
    assert item_values(scores, pd.Series({"IM-1": 3.5}), pd.Series({"IM-1": 2}))["IM-1"] == Fraction(7, 2)


def test_scoring_uses_the_sample_panels_agreed_score(panel):
    card = score_assessment(panel, mth.get(2024))
    assert card.items["QW-05"] == 2  # the assessors' mean is 12/5


def test_the_assessors_own_scores_stay_untouched(panel):
    assert panel.scores.loc["QW-05"].tolist() == [1, 2, 2, 4, 3]


def test_a_changed_agreed_score_changes_the_dimension(tmp_path, panel):
    copy = tmp_path / "kota-padang-panjang.xlsx"
    copy.write_bytes(PANEL.read_bytes())
    changed = load(edit(copy, lambda wb: wb["Moderasi"].cell(3, 6, 4)))
    before = score_assessment(panel, mth.get(2024)).dimensions["quick_win"]
    assert score_assessment(changed, mth.get(2024)).dimensions["quick_win"] - before == Fraction(2, 12)


# ----------------------------------------------------------------------------------------------- moderate


def test_moderate_json_on_the_sample_panel(capsys):
    assert main(["moderate", str(PANEL), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["alpha", "disputed", "moderated"]
    assert list(data["alpha"]) == ["baseline", "output", "outcome", "impact", "quick_win", "overall"]
    assert data["alpha"]["overall"] == 0.532
    assert [d["item"] for d in data["disputed"]] == ["OP-03", "QW-05"]
    assert data["disputed"][1] == {
        "item": "QW-05",
        "dimension": "quick_win",
        "scores": {"A1": 1, "A2": 2, "A3": 2, "A4": 4, "A5": 3},
        "spread": 3,
    }
    assert [(m["item"], m["agreed"]) for m in data["moderated"]] == [("QW-05", 2)]


def test_moderate_table_says_which_disputes_are_settled(capsys):
    assert main(["moderate", str(PANEL), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "OP-03  Output        A1 1 · A2 2 · A3 2 · A4 3 · A5 3  spread 2  not moderated yet" in out
    assert "QW-05  Quick Wins    A1 1 · A2 2 · A3 2 · A4 4 · A5 3  spread 3  agreed 2: Kemitraan" in out


def test_the_moderation_copy_lists_every_dispute_keeping_the_agreed_ones(tmp_path):
    merged = write_panel(ASSESSORS, tmp_path / "panel.xlsx")
    assert main(["moderate", str(tmp_path / "panel.xlsx"), "-o", str(tmp_path / "copy.xlsx")]) == 0
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "copy.xlsx")["Moderasi"].iter_rows(min_row=2)]
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        ("OP-03", "A1 1 · A2 2 · A3 2 · A4 3 · A5 3", 2, None),
        ("QW-05", "A1 1 · A2 2 · A3 2 · A4 4 · A5 3", 3, None),
    ]
    assert open_disputes(merged) == ["OP-03", "QW-05"]


def test_a_second_moderation_copy_keeps_what_the_panel_agreed(tmp_path, panel):
    copy = moderation_copy(PANEL, tmp_path / "copy.xlsx")
    pd.testing.assert_frame_equal(copy.moderation, panel.moderation)
    pd.testing.assert_frame_equal(load(tmp_path / "copy.xlsx").moderation, panel.moderation)


def test_the_moderation_copy_never_overwrites_its_input(capsys):
    assert main(["moderate", str(PANEL), "-o", str(PANEL)]) == 1
    assert "masukan tidak pernah ditimpa" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------- the batch


def test_the_batch_check_counts_the_open_disputes():
    checked = check_region(RegionJob(SAMPLE, 2024, 2, "kota-padang-panjang", "auto", "id"))
    assert checked.disputes == 1


def test_the_batch_summary_shows_the_open_disputes_per_region():
    batch = BatchResult([RegionResult("kota-padang-panjang", "ok", disputes=1), RegionResult("kab-malang", "ok")])
    lines = summary_table(batch, "en").splitlines()
    assert lines[0].split()[3:4] == ["Unmoderated"]
    assert [line.split()[3] for line in lines[1:3]] == ["1", "0"]
