"""The command line: the score JSON contract and clean errors (never a traceback)."""

import json

import pytest

from conftest import SAMPLE
from smartcity_eval.cli import main


def test_score_json_has_the_contract_fields(capsys):
    assert (
        main(
            [
                "score",
                str(SAMPLE / "2023/tahap-2/kab-malang.xlsx"),
                "--previous",
                str(SAMPLE / "2022/tahap-2/kab-malang.xlsx"),
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert {
        "region",
        "year",
        "stage",
        "category",
        "dimensions",
        "nilai_final",
        "improvement",
        "programme_realisation",
        "action_plan_realisation",
    } <= set(data)
    assert data["nilai_final"] == 2.94
    assert data["improvement"] == 0.44
    assert data["dimensions"]["kolaborasi"] == 2.53


def test_score_table_padang_panjang_2024(capsys):
    assert main(["score", str(SAMPLE / "2024/tahap-2/kota-padang-panjang.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "70,73% (87/123)" in out
    assert "94,46% (256/271)" in out


def test_score_against_a_published_table(capsys):
    assert (
        main(
            [
                "score",
                str(SAMPLE / "2023/tahap-2/kota-padang-panjang.xlsx"),
                "--published",
                str(SAMPLE / "published/national-2022-tahap-2.csv"),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Nilai Final              2.41" in out
    assert "-0.39" in out


def test_unwritable_output_is_a_message_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        ["template", "--year", "2024", "--stage", "2", "--category", "REGULER", "-o", str(blocker / "sub" / "t.xlsx")]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "smartcity-eval template:" in err
    assert "Traceback" not in err


def test_unknown_year_and_category(tmp_path, capsys):
    base = ["template", "--stage", "2", "-o"]
    assert main([*base, str(tmp_path / "a.xlsx"), "--year", "2019", "--category", "REGULER"]) == 1
    assert main([*base, str(tmp_path / "b.xlsx"), "--year", "2023", "--category", "KPPN"]) == 1
    err = capsys.readouterr().err
    assert "2019" in err
    assert "KPPN" in err
    assert not (tmp_path / "a.xlsx").exists()
    assert "Tidak ada metodologi untuk tahun 2019; tersedia: 2022" in err
    assert main([*base, str(tmp_path / "a.xlsx"), "--year", "2019", "--category", "REGULER", "--lang", "en"]) == 1
    assert main([*base, str(tmp_path / "b.xlsx"), "--year", "2023", "--category", "KPPN", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "No methodology for the year 2019; available: 2022" in err
    assert "No weight profile for the category 'KPPN' in 2023; available: REGULER" in err


def test_run_without_a_run_file_or_year_says_so_in_the_users_language(capsys):
    assert main(["run"]) == 1
    assert capsys.readouterr().err.strip() == "smartcity-eval run: beri berkas run, atau --year dan --stage"
    assert main(["run", "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == "smartcity-eval run: give a run file, or --year and --stage"


def test_national_says_rows_or_baris(tmp_path, national_csv, capsys):
    out = tmp_path / "out.csv"
    assert main(["national", "--year", "2023", str(national_csv), "-o", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{out} ditulis (9 baris)"
    assert main(["national", "--year", "2023", str(national_csv), "-o", str(out), "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{out} written (9 rows)"


def test_a_wrong_choice_is_said_in_indonesian_in_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--stage", "3"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "smartcity-eval run: --stage: pilihan 3 tidak dikenal; seharusnya salah satu dari 1, 2"
    )


def test_a_wrong_option_points_to_help_instead_of_dumping_usage(capsys):
    with pytest.raises(SystemExit):
        main(["validate"])
    assert capsys.readouterr().err.splitlines() == [
        "smartcity-eval validate: isian ini wajib: files",
        "lihat: smartcity-eval validate --help",
    ]


def test_argv_lang_reads_the_language_option():
    from smartcity_eval.cli import argv_lang

    assert argv_lang(["run", "--workers", "x", "--lang", "en"]) == "en"
