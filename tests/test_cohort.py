"""A cohort from the last one: rows whose inputs did not change are taken as written, the others scored again."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE
from smartcity_eval.inputs.validation import load
from smartcity_eval.results import cohort, rules
from smartcity_eval.results.sources import previous_result, report_inputs
from workbooks import edit

YEAR, STAGE = 2024, 2
EDITED = "kota-padang-panjang"


@pytest.fixture
def data(tmp_path):
    return shutil.copytree(SAMPLE, tmp_path / "data")


@pytest.fixture
def written(data, tmp_path):
    """The path of a cohort written from every workbook of the sample."""
    path = tmp_path / "out" / "cohort.csv"
    path.parent.mkdir()
    cohort.write_cohort(cohort.update_cohort(data, YEAR, STAGE), path)
    return path


def raise_op02(data):
    edit(data / str(YEAR) / "tahap-2" / f"{EDITED}.xlsx", lambda wb: wb["Skor"].cell(9, 7, 4))


def test_a_first_cohort_scores_every_workbook(data):
    assert len(cohort.update_cohort(data, YEAR, STAGE).scored) == 6


def test_an_unchanged_cohort_scores_no_workbook(data, written):
    assert cohort.update_cohort(data, YEAR, STAGE, last=written).scored == ()


def test_an_edited_workbook_is_the_only_one_scored_again(data, written):
    raise_op02(data)
    assert cohort.update_cohort(data, YEAR, STAGE, last=written).scored == (EDITED,)


def test_the_cohort_from_the_last_one_is_the_cohort_built_afresh(data, written):
    raise_op02(data)
    updated = cohort.update_cohort(data, YEAR, STAGE, last=written).table
    assert updated.to_csv(index=False) == cohort.build_cohort(data, YEAR, STAGE).to_csv(index=False)


def test_a_workbook_given_scored_is_not_scored_again(data, written):
    raise_op02(data)
    path = data / str(YEAR) / "tahap-2" / f"{EDITED}.xlsx"
    card = rules.score(load(path), previous_result(data, YEAR, EDITED).final)
    given = {EDITED: cohort.Scored(card, cohort.row_key(report_inputs(data, EDITED, YEAR, STAGE)))}
    assert cohort.update_cohort(data, YEAR, STAGE, given, last=written).scored == ()


def test_an_edited_earlier_year_scores_that_region_again(data, written):
    edit(data / "2023" / "tahap-2" / "kota-batam.xlsx", lambda wb: wb["Skor"].cell(9, 7, 4))
    assert cohort.update_cohort(data, YEAR, STAGE, last=written).scored == ("kota-batam",)


def test_a_csv_changed_by_hand_is_not_trusted(data, written):
    written.write_text(written.read_text(encoding="utf-8").replace("Kota Batam", "Kota Batam "), encoding="utf-8")
    assert len(cohort.update_cohort(data, YEAR, STAGE, last=written).scored) == 6


def test_another_way_to_last_years_result_is_another_key(data):
    inputs = report_inputs(data, EDITED, YEAR, STAGE)
    assert cohort.row_key(inputs, "auto") != cohort.row_key(inputs, "none")
