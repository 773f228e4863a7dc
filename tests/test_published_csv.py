"""Published tables as untrusted files: every problem located, in Indonesian, and only that file refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from published_rows import HEADER, MALANG, PADANG
from smartcity_eval.results.national import TableError, read_published


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "national-2023-tahap-2.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(TableError) as err:
        read_published(path)
    return err.value.message("id").splitlines()


def test_a_good_table_reads(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + MALANG + PADANG, encoding="utf-8")
    assert read_published(path)["region"].tolist() == ["Kab. Malang", "Kota Padang Panjang"]


def test_nan_in_a_number_column_is_located(tmp_path):
    (line,) = problems(tmp_path, HEADER + MALANG.replace("3.41", "NaN"))
    assert line == (
        "GALAT: national-2023-tahap-2.csv › baris 2, kolom (outcome): bukan angka — nilai: 'NaN'; "
        "seharusnya: angka dengan titik desimal, kosong, atau '-'"
    )


def test_infinity_in_a_number_column_is_located(tmp_path):
    (line,) = problems(tmp_path, HEADER + MALANG.replace("2.94", "Infinity"))
    assert "baris 2, kolom (nilai_final): bukan angka" in line


def test_an_improvement_out_of_range_is_located(tmp_path):
    (line,) = problems(tmp_path, HEADER + MALANG.replace("0.44", "123.456"))
    assert line.endswith("seharusnya: angka antara -4 dan 4")


def test_a_short_row_is_refused_not_stored_as_a_participant(tmp_path):
    (line,) = problems(tmp_path, HEADER + MALANG + "2,Kota Padang Panjang,REGULER,3.2,2.1\n")
    assert line.startswith("GALAT: national-2023-tahap-2.csv › baris 3: jumlah kolom baris ini tidak sama")


def test_a_participant_without_a_final_is_refused(tmp_path):
    (line,) = problems(tmp_path, HEADER + MALANG.replace(",2.94,", ",,"))
    assert "kolom (nilai_final): daerah ini punya nilai dimensi tetapi Nilai Final kosong" in line


def test_an_unclosed_quote_names_the_line_where_it_opens(tmp_path):
    (line,) = problems(tmp_path, HEADER + MALANG + '2,"Kota Padang Panjang,REGULER,3.2,2.1,2.5,2.4,2.0,,2.41,-0.39\n')
    assert line.startswith("GALAT: national-2023-tahap-2.csv › baris 3: tanda kutip dibuka tetapi tidak pernah ditutup")


def test_a_semicolon_file_with_decimal_commas_reads(tmp_path):
    path = tmp_path / "t.csv"
    text = (HEADER + MALANG).replace(",", ";").replace("3.6;", "3,6;").replace(";2.94;", ";2,94;")
    path.write_text(text, encoding="utf-8")
    assert str(read_published(path).at[0, "nilai_final"]) == "2.94"


def test_latin_1_names_the_encoding_and_the_line(tmp_path):
    text = (HEADER + MALANG + PADANG.replace("Kota Padang Panjang", "Kota Padang Panjang é")).encode("latin-1")
    (line,) = problems(tmp_path, text)
    assert line == (
        "GALAT: national-2023-tahap-2.csv › baris 3: berkas bukan teks UTF-8 (byte tidak dikenal di baris ini) — "
        "nilai: '0xE9'; seharusnya: CSV UTF-8 (di Excel: Simpan Sebagai › CSV UTF-8)"
    )


def test_every_problem_of_a_table_is_reported_at_once(tmp_path):
    text = HEADER + MALANG.replace("3.41", "NaN") + PADANG.replace("-0.39", "9")
    assert len(problems(tmp_path, text)) == 2
