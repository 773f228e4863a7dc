"""Regenerate the sample data in ``data/sample/``: assessment workbooks and published tables.

Usage::

    .venv/bin/python scripts/make_sample_data.py            # writes data/sample/
    .venv/bin/python scripts/make_sample_data.py --out DIR  # writes DIR/ instead

Deterministic: every random choice comes from a ``random.Random`` seeded with the region, year and stage,
and every workbook carries a fixed timestamp, so two runs give the same files.

What is published and what is made up is described in ``data/sample/README.md``. In short: Kab. Malang
2022/2023 reproduce the item values of the official Tahap II reports (``data/reference/malang_items.yaml``);
Kota Padang Panjang and Kab. Pelalawan 2023 reproduce their published dimension scores and Nilai Final;
Kota Padang Panjang 2024 reproduces the published programme and action-plan realisation. Everything else
(other item scores, assessor names, most counts, findings) is made up.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import yaml

from smartcity_eval.common.numbers import percent, round_half_up, to_fraction
from smartcity_eval.inputs.panel import merge
from smartcity_eval.inputs.validation import validate
from smartcity_eval.inputs.workbook import write_assessment
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment, Profile, empty_moderation, slugify
from smartcity_eval.method.scoring import ScoreCard, nilai_final
from smartcity_eval.results import rules

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
DEFAULT_OUT = ROOT / "data" / "sample"
SEED = "smartcity-sample-v1"
PUBLISHED_COLUMNS = [
    "no",
    "kab_kota",
    "ket",
    "baseline",
    "output",
    "outcome",
    "impact",
    "quick_wins",
    "kolaborasi",
    "nilai_final",
    "improvement",
]
CSV_DIMENSIONS = {
    "baseline": "baseline",
    "output": "output",
    "outcome": "outcome",
    "impact": "impact",
    "quick_wins": "quick_win",
    "kolaborasi": "kolaborasi",
}

# --------------------------------------------------------------------------- agencies (OPD)

OPD = {
    "kominfo": "Dinas Komunikasi dan Informatika",
    "bappeda": "Badan Perencanaan Pembangunan Daerah",
    "bpkad": "Badan Pengelolaan Keuangan dan Aset Daerah",
    "bapenda": "Badan Pendapatan Daerah",
    "dpmptsp": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "dukcapil": "Dinas Kependudukan dan Pencatatan Sipil",
    "bkpsdm": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "hukum": "Bagian Hukum Sekretariat Daerah",
    "organisasi": "Bagian Organisasi Sekretariat Daerah",
    "umum": "Bagian Umum Sekretariat Daerah",
    "pbj": "Bagian Pengadaan Barang dan Jasa Sekretariat Daerah",
    "ekonomi": "Bagian Perekonomian Sekretariat Daerah",
    "inspektorat": "Inspektorat Daerah",
    "arsip": "Dinas Perpustakaan dan Kearsipan",
    "pariwisata": "Dinas Pariwisata, Pemuda dan Olahraga",
    "koperasi": "Dinas Koperasi dan Usaha Kecil Menengah",
    "perdagangan": "Dinas Perindustrian dan Perdagangan",
    "naker": "Dinas Tenaga Kerja",
    "pertanian": "Dinas Pertanian dan Ketahanan Pangan",
    "sosial": "Dinas Sosial",
    "p3a": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "pmd": "Dinas Pemberdayaan Masyarakat dan Desa",
    "pupr": "Dinas Pekerjaan Umum dan Penataan Ruang",
    "perkim": "Dinas Perumahan dan Kawasan Permukiman",
    "air": "Perusahaan Umum Daerah Air Minum",
    "kesehatan": "Dinas Kesehatan",
    "rsud": "Rumah Sakit Umum Daerah",
    "perhubungan": "Dinas Perhubungan",
    "pendidikan": "Dinas Pendidikan",
    "bpbd": "Badan Penanggulangan Bencana Daerah",
    "satpol": "Satuan Polisi Pamong Praja dan Pemadam Kebakaran",
    "kesbangpol": "Badan Kesatuan Bangsa dan Politik",
    "lh": "Dinas Lingkungan Hidup",
}

# --------------------------------------------------------------------------- generic programmes
# (pillar, sub_dimension, name, agency key); descriptive names only, no brand names of real regions

GENERIC_PROGRAMMES: tuple[tuple[str, str, str, str], ...] = (
    # Smart Governance
    ("governance", "layanan_publik", "Mal Pelayanan Publik terpadu", "dpmptsp"),
    ("governance", "layanan_publik", "Perizinan berusaha berbasis risiko melalui OSS", "dpmptsp"),
    ("governance", "layanan_publik", "Layanan administrasi kependudukan daring", "dukcapil"),
    ("governance", "layanan_publik", "Pengaduan masyarakat terintegrasi SP4N-LAPOR!", "kominfo"),
    ("governance", "layanan_publik", "Pembayaran pajak daerah secara nontunai", "bapenda"),
    ("governance", "layanan_publik", "Layanan informasi publik PPID daring", "kominfo"),
    ("governance", "layanan_publik", "Tanda tangan elektronik untuk dokumen layanan", "kominfo"),
    ("governance", "layanan_publik", "Layanan kependudukan jemput bola di desa dan kelurahan", "dukcapil"),
    ("governance", "layanan_publik", "Antrean daring layanan perizinan", "dpmptsp"),
    ("governance", "layanan_publik", "Pusat panggilan layanan publik terpadu", "kominfo"),
    ("governance", "kebijakan_publik", "Portal Satu Data daerah", "kominfo"),
    ("governance", "kebijakan_publik", "Jaringan Dokumentasi dan Informasi Hukum (JDIH)", "hukum"),
    ("governance", "kebijakan_publik", "Musyawarah perencanaan pembangunan elektronik (e-Musrenbang)", "bappeda"),
    ("governance", "kebijakan_publik", "Dasbor indikator kinerja daerah", "bappeda"),
    ("governance", "kebijakan_publik", "Sistem Informasi Pemerintahan Daerah (SIPD) terpadu", "bappeda"),
    ("governance", "kebijakan_publik", "Konsultasi publik daring rancangan peraturan daerah", "hukum"),
    ("governance", "kebijakan_publik", "Survei kepuasan masyarakat berbasis aplikasi", "organisasi"),
    ("governance", "tata_kelola_birokrasi", "Sistem Pemerintahan Berbasis Elektronik (SPBE) terintegrasi", "kominfo"),
    ("governance", "tata_kelola_birokrasi", "Naskah dinas elektronik", "umum"),
    ("governance", "tata_kelola_birokrasi", "Penilaian kinerja ASN elektronik (e-Kinerja)", "bkpsdm"),
    ("governance", "tata_kelola_birokrasi", "Pengadaan barang dan jasa secara elektronik", "pbj"),
    ("governance", "tata_kelola_birokrasi", "Perencanaan dan penganggaran elektronik terintegrasi", "bpkad"),
    ("governance", "tata_kelola_birokrasi", "Sistem akuntabilitas kinerja instansi pemerintah (e-SAKIP)", "organisasi"),
    ("governance", "tata_kelola_birokrasi", "Presensi ASN berbasis lokasi", "bkpsdm"),
    ("governance", "tata_kelola_birokrasi", "Kearsipan dinamis digital", "arsip"),
    ("governance", "tata_kelola_birokrasi", "Pusat data daerah dan layanan komputasi awan pemerintah", "kominfo"),
    ("governance", "tata_kelola_birokrasi", "Pengawasan internal berbasis aplikasi", "inspektorat"),
    ("governance", "tata_kelola_birokrasi", "Manajemen aset daerah berbasis aplikasi", "bpkad"),
    ("governance", "tata_kelola_birokrasi", "Tim tanggap insiden siber pemerintah daerah", "kominfo"),
    # Smart Branding
    ("branding", "tourism_branding", "Portal pariwisata dan kalender acara daerah", "pariwisata"),
    ("branding", "tourism_branding", "Pengembangan desa wisata digital", "pariwisata"),
    ("branding", "tourism_branding", "Informasi destinasi wisata berbasis kode QR", "pariwisata"),
    ("branding", "tourism_branding", "Festival budaya tahunan", "pariwisata"),
    ("branding", "tourism_branding", "Promosi destinasi melalui media sosial bersama kreator lokal", "pariwisata"),
    ("branding", "tourism_branding", "Paket wisata edukasi", "pariwisata"),
    ("branding", "tourism_branding", "Sertifikasi pemandu wisata", "pariwisata"),
    ("branding", "business_branding", "Katalog digital produk unggulan daerah", "koperasi"),
    ("branding", "business_branding", "Pameran dan temu bisnis produk UMKM", "perdagangan"),
    ("branding", "business_branding", "Fasilitasi sertifikasi halal dan merek UMKM", "koperasi"),
    ("branding", "business_branding", "Rumah kemasan produk UMKM", "koperasi"),
    ("branding", "business_branding", "Peta potensi dan peluang investasi daerah", "dpmptsp"),
    ("branding", "business_branding", "Forum investasi daerah", "dpmptsp"),
    ("branding", "city_appearance_branding", "Penataan kawasan pusat kota", "pupr"),
    ("branding", "city_appearance_branding", "Taman tematik dan ruang terbuka hijau", "perkim"),
    ("branding", "city_appearance_branding", "Penerangan jalan umum bertenaga surya di koridor utama", "perhubungan"),
    ("branding", "city_appearance_branding", "Penataan reklame dan papan nama jalan", "dpmptsp"),
    ("branding", "city_appearance_branding", "Gerbang dan tugu ikon daerah", "pupr"),
    (
        "branding",
        "city_appearance_branding",
        "Penggunaan logo, slogan dan maskot daerah pada materi promosi",
        "kominfo",
    ),
    ("branding", "city_appearance_branding", "Kampung tematik berbasis komunitas", "perkim"),
    ("branding", "city_appearance_branding", "Penataan pedagang kaki lima di kawasan wisata", "perdagangan"),
    # Smart Economy
    ("economy", "industri", "Inkubator bisnis dan ekonomi kreatif", "koperasi"),
    ("economy", "industri", "Pelatihan pemasaran digital bagi UMKM", "koperasi"),
    ("economy", "industri", "Sentra industri kecil dan menengah", "perdagangan"),
    ("economy", "industri", "Pelatihan kerja berbasis kompetensi", "naker"),
    ("economy", "industri", "Bursa kerja daring", "naker"),
    ("economy", "industri", "Hilirisasi produk pertanian", "pertanian"),
    ("economy", "industri", "Kurasi produk UMKM untuk pasar daring", "koperasi"),
    ("economy", "kesejahteraan_rakyat", "Data terpadu kesejahteraan sosial berbasis aplikasi", "sosial"),
    ("economy", "kesejahteraan_rakyat", "Penyaluran bantuan sosial nontunai", "sosial"),
    ("economy", "kesejahteraan_rakyat", "Pasar tani dan informasi harga komoditas", "pertanian"),
    ("economy", "kesejahteraan_rakyat", "Sistem informasi harga kebutuhan pokok", "perdagangan"),
    ("economy", "kesejahteraan_rakyat", "Pendampingan kelompok usaha bersama", "sosial"),
    ("economy", "kesejahteraan_rakyat", "Pemberdayaan ekonomi perempuan", "p3a"),
    ("economy", "kesejahteraan_rakyat", "Pertanian presisi dengan sensor cuaca dan tanah", "pertanian"),
    ("economy", "ekosistem_transaksi_keuangan", "Elektronifikasi transaksi pemerintah daerah", "bpkad"),
    ("economy", "ekosistem_transaksi_keuangan", "Pembayaran retribusi pasar dengan QRIS", "perdagangan"),
    ("economy", "ekosistem_transaksi_keuangan", "Digitalisasi pasar rakyat", "perdagangan"),
    ("economy", "ekosistem_transaksi_keuangan", "Kartu kredit pemerintah daerah", "bpkad"),
    ("economy", "ekosistem_transaksi_keuangan", "Retribusi parkir elektronik", "perhubungan"),
    ("economy", "ekosistem_transaksi_keuangan", "Tim Percepatan dan Perluasan Digitalisasi Daerah (TP2DD)", "ekonomi"),
    ("economy", "ekosistem_transaksi_keuangan", "Pembayaran pajak bumi dan bangunan melalui dompet digital", "bapenda"),
    # Smart Living
    ("living", "harmonisasi_tata_ruang", "Sistem informasi tata ruang daerah", "pupr"),
    ("living", "harmonisasi_tata_ruang", "Persetujuan bangunan gedung daring (SIMBG)", "pupr"),
    ("living", "harmonisasi_tata_ruang", "Penanganan kawasan permukiman kumuh", "perkim"),
    ("living", "harmonisasi_tata_ruang", "Pendataan rumah tidak layak huni berbasis aplikasi", "perkim"),
    ("living", "harmonisasi_tata_ruang", "Layanan air minum dengan meter pintar", "air"),
    ("living", "harmonisasi_tata_ruang", "Sanitasi berbasis masyarakat", "perkim"),
    ("living", "harmonisasi_tata_ruang", "Pemetaan drainase dan titik genangan", "pupr"),
    ("living", "prasarana_kesehatan", "Rekam medis elektronik di puskesmas", "kesehatan"),
    ("living", "prasarana_kesehatan", "Pendaftaran daring rumah sakit umum daerah", "rsud"),
    ("living", "prasarana_kesehatan", "Layanan gawat darurat terpadu (PSC 119)", "kesehatan"),
    ("living", "prasarana_kesehatan", "Pemantauan dan intervensi stunting berbasis data", "kesehatan"),
    ("living", "prasarana_kesehatan", "Posyandu digital", "kesehatan"),
    ("living", "prasarana_kesehatan", "Telekonsultasi kesehatan", "kesehatan"),
    ("living", "prasarana_kesehatan", "Informasi ketersediaan tempat tidur rumah sakit", "rsud"),
    ("living", "prasarana_kesehatan", "Pelacakan imunisasi anak", "kesehatan"),
    ("living", "sarana_telekomunikasi_transportasi", "Area traffic control system (ATCS)", "perhubungan"),
    ("living", "sarana_telekomunikasi_transportasi", "Wi-Fi publik di ruang terbuka", "kominfo"),
    ("living", "sarana_telekomunikasi_transportasi", "Informasi angkutan umum dan halte digital", "perhubungan"),
    (
        "living",
        "sarana_telekomunikasi_transportasi",
        "Pengujian kendaraan bermotor dengan bukti lulus uji elektronik",
        "perhubungan",
    ),
    ("living", "sarana_telekomunikasi_transportasi", "Penataan menara telekomunikasi bersama", "kominfo"),
    ("living", "sarana_telekomunikasi_transportasi", "Parkir elektronik di kawasan pusat kegiatan", "perhubungan"),
    ("living", "sarana_telekomunikasi_transportasi", "Pelaporan jalan rusak oleh warga", "pupr"),
    # Smart Society
    ("society", "komunitas", "Forum komunitas kreatif dan relawan TIK", "kominfo"),
    ("society", "komunitas", "Pojok baca dan literasi digital di desa dan kelurahan", "arsip"),
    ("society", "komunitas", "Hari bebas kendaraan bermotor dan kegiatan komunitas olahraga", "pariwisata"),
    ("society", "komunitas", "Karang taruna digital", "sosial"),
    ("society", "komunitas", "Layanan terpadu penyandang disabilitas", "sosial"),
    ("society", "komunitas", "Sistem informasi kepemudaan", "pariwisata"),
    ("society", "komunitas", "Ruang kreatif anak muda", "pariwisata"),
    ("society", "pendidikan", "Penerimaan peserta didik baru daring", "pendidikan"),
    ("society", "pendidikan", "Perpustakaan digital daerah", "arsip"),
    ("society", "pendidikan", "Kelas digital di sekolah dasar dan menengah pertama", "pendidikan"),
    ("society", "pendidikan", "Beasiswa pendidikan berbasis data terpadu", "pendidikan"),
    ("society", "pendidikan", "Pelatihan guru untuk pembelajaran digital", "pendidikan"),
    ("society", "pendidikan", "Dasbor mutu pendidikan sekolah", "pendidikan"),
    ("society", "pendidikan", "Gerakan wajib belajar sembilan tahun berbasis data anak tidak sekolah", "pendidikan"),
    ("society", "keamanan", "CCTV terintegrasi untuk keamanan lingkungan", "kominfo"),
    ("society", "keamanan", "Layanan panggilan darurat 112", "kominfo"),
    ("society", "keamanan", "Sistem peringatan dini bencana", "bpbd"),
    ("society", "keamanan", "Desa dan kelurahan tangguh bencana", "bpbd"),
    ("society", "keamanan", "Sistem keamanan lingkungan berbasis aplikasi", "kesbangpol"),
    ("society", "keamanan", "Patroli ketertiban umum terjadwal", "satpol"),
    ("society", "keamanan", "Pemadam kebakaran tanggap cepat", "satpol"),
    # Smart Environment
    ("environment", "proteksi_lingkungan", "Pemantauan kualitas udara dan air", "lh"),
    ("environment", "proteksi_lingkungan", "Pengaduan lingkungan hidup daring", "lh"),
    ("environment", "proteksi_lingkungan", "Penanaman pohon dan kebun bibit rakyat", "lh"),
    ("environment", "proteksi_lingkungan", "Konservasi daerah aliran sungai", "lh"),
    ("environment", "proteksi_lingkungan", "Pembinaan sekolah Adiwiyata", "lh"),
    ("environment", "proteksi_lingkungan", "Program Kampung Iklim (ProKlim)", "lh"),
    ("environment", "proteksi_lingkungan", "Pengawasan izin lingkungan berbasis aplikasi", "lh"),
    ("environment", "tata_kelola_sampah_limbah", "Bank sampah digital", "lh"),
    ("environment", "tata_kelola_sampah_limbah", "TPS 3R berbasis masyarakat", "lh"),
    ("environment", "tata_kelola_sampah_limbah", "Pengurangan plastik sekali pakai di pasar dan toko modern", "lh"),
    ("environment", "tata_kelola_sampah_limbah", "Pengelolaan limbah medis terpadu", "kesehatan"),
    ("environment", "tata_kelola_sampah_limbah", "Jadwal dan rute angkutan sampah berbasis aplikasi", "lh"),
    ("environment", "tata_kelola_sampah_limbah", "Pengolahan sampah organik menjadi kompos dan maggot", "lh"),
    ("environment", "tata_kelola_sampah_limbah", "Layanan sedot tinja terjadwal", "perkim"),
    ("environment", "tata_kelola_energi", "Lampu jalan hemat energi (LED)", "perhubungan"),
    ("environment", "tata_kelola_energi", "Panel surya di gedung pemerintahan", "pupr"),
    ("environment", "tata_kelola_energi", "Pemantauan konsumsi listrik gedung pemerintah", "umum"),
    ("environment", "tata_kelola_energi", "Biogas ternak untuk rumah tangga", "pertanian"),
    ("environment", "tata_kelola_energi", "Kendaraan dinas listrik", "umum"),
    ("environment", "tata_kelola_energi", "Gerakan hemat energi di sekolah", "pendidikan"),
)

GENERIC_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "kebijakan_kelembagaan": (
        "Penyusunan peraturan kepala daerah tentang pelaksanaan Masterplan Smart City",
        "Rapat koordinasi Dewan Smart City",
        "Rapat evaluasi Tim Pelaksana bersama OPD",
        "Penyusunan SOP tata kelola data dan aplikasi",
        "Penyelarasan program Smart City dalam Renstra dan Renja OPD",
        "Pengaktifan Forum Smart City bersama perguruan tinggi dan komunitas",
    ),
    "sdm": (
        "Bimbingan teknis keamanan informasi bagi pengelola aplikasi",
        "Pelatihan analisis dan visualisasi data bagi ASN",
        "Sertifikasi kompetensi pengelola TIK",
        "Pelatihan pelayanan prima bagi petugas layanan publik",
        "Pelatihan pengelolaan media sosial pemerintah",
    ),
    "infrastruktur": (
        "Perluasan jaringan serat optik antarkantor pemerintah",
        "Penyediaan titik Wi-Fi publik",
        "Peningkatan kapasitas pusat data daerah",
        "Pemasangan CCTV di persimpangan dan titik rawan",
        "Pengadaan perangkat ruang kendali (command centre)",
    ),
    "aplikasi": (
        "Integrasi aplikasi layanan ke portal layanan tunggal",
        "Pengembangan aplikasi pengaduan masyarakat",
        "Interoperabilitas data kependudukan dengan aplikasi OPD",
        "Pengembangan dasbor eksekutif pimpinan daerah",
        "Migrasi aplikasi OPD ke pusat data daerah",
    ),
    "literasi": (
        "Sosialisasi layanan digital di desa dan kelurahan",
        "Gerakan literasi digital bagi pelajar",
        "Kampanye Smart City melalui media sosial dan radio",
        "Pelatihan literasi digital bagi pelaku UMKM",
    ),
}

# --------------------------------------------------------------------------- findings by dimension

DIM_STRENGTH: dict[str, tuple[str, ...]] = {
    "baseline": (
        "Masterplan Smart City {region} telah memiliki dasar hukum dan menjadi acuan perencanaan OPD.",
        "Dewan Smart City dan Tim Pelaksana rutin bertemu; notulen dan daftar hadir rapat terdokumentasi baik.",
        "Data realisasi program dan rencana aksi tahun sebelumnya tersedia lengkap sebagai data dukung.",
    ),
    "output": (
        "Regulasi pendukung Smart City telah diterbitkan dan Tim Pelaksana berfungsi dengan pembagian tugas "
        "yang jelas.",
        "Keterlibatan OPD tampak dalam Renstra masing-masing; program Smart City tidak bertumpu pada Diskominfo saja.",
        "Anggaran Smart City dalam APBD cukup memadai dan mulai didukung pembiayaan non-APBD.",
    ),
    "outcome": (
        "Sebagian besar program masterplan tahun ini berjalan sesuai rencana di keenam pilar.",
        "Capaian indikator pembangunan (opini laporan keuangan, indeks SPBE, SAKIP) mendukung tata kelola yang baik.",
        "Rencana aksi peningkatan SDM dan infrastruktur pendukung terlaksana hampir seluruhnya.",
    ),
    "impact": (
        "Warga pengguna layanan menilai layanan daring mudah dijangkau dan prosedurnya transparan.",
        "Manfaat program mulai dirasakan masyarakat, terutama pada layanan kesehatan dan kependudukan.",
        "Umpan balik masyarakat ditanggapi dalam batas waktu standar layanan.",
    ),
    "quick_win": (
        "Quick win dirumuskan bersama pemangku kepentingan dan memiliki keunikan yang jelas.",
        "Quick win tahun sebelumnya tetap berjalan dan telah dilengkapi quick win baru tahun ini.",
        "Quick win membuka peluang kemitraan dengan swasta dan komunitas.",
    ),
    "kolaborasi": (
        "Kolaborasi dengan daerah tetangga dalam kawasan prioritas telah berjalan pada beberapa pilar.",
        "Program kolaborasi lintas daerah pada pilar Governance dan Environment sudah terlaksana.",
    ),
}
DIM_WEAKNESS: dict[str, tuple[str, ...]] = {
    "baseline": (
        "Rapat Dewan Smart City belum terselenggara secara berkala dan keputusan rapat belum ditindaklanjuti.",
        "Data realisasi program tahun sebelumnya belum tersusun rapi sehingga sulit diverifikasi.",
        "Dasar hukum Masterplan Smart City belum diperbarui mengikuti perubahan RPJMD.",
    ),
    "output": (
        "Porsi anggaran Smart City dalam APBD masih kecil dan belum ada sumber pembiayaan non-APBD.",
        "Keterlibatan OPD selain Diskominfo belum tercermin dalam Renstra dan Renja masing-masing.",
        "Forum Smart City belum aktif sehingga partisipasi perguruan tinggi, swasta dan komunitas terbatas.",
    ),
    "outcome": (
        "Realisasi program masterplan belum merata antarpilar dan program yang belum berjalan tidak disertai "
        "analisis kendala.",
        "Rencana aksi pengembangan aplikasi dan literasi Smart City belum mencapai target.",
        "Indikator capaian per pilar belum dipantau secara berkala oleh Tim Pelaksana.",
    ),
    "impact": (
        "Manfaat program belum banyak dirasakan warga; survei pengguna menunjukkan nilai rendah pada "
        "kemudahan akses daring.",
        "Sosialisasi layanan digital kepada masyarakat masih terbatas sehingga pemanfaatannya rendah.",
        "Umpan balik warga belum dikelola dan ditindaklanjuti secara sistematis.",
    ),
    "quick_win": (
        "Quick win belum dilengkapi identifikasi risiko dan rencana mitigasi yang terdokumentasi.",
        "Strategi keberlanjutan quick win belum jelas, termasuk dukungan anggaran dan SDM pada tahun berikutnya.",
        "Tidak ada quick win baru tahun ini; quick win lama sebagian berhenti.",
    ),
    "kolaborasi": (
        "Program kolaborasi dengan daerah tetangga baru berjalan pada sebagian kecil pilar.",
        "Kolaborasi kawasan belum dituangkan dalam perjanjian kerja sama yang jelas.",
    ),
}
DIM_ADVICE: dict[str, tuple[str, ...]] = {
    "baseline": (
        "Menjadwalkan rapat Dewan Smart City minimal dua kali setahun dan memantau tindak lanjut keputusannya.",
        "Menyusun basis data realisasi program dan rencana aksi yang diperbarui setiap triwulan.",
        "Memperbarui dasar hukum Masterplan Smart City agar selaras dengan RPJMD yang berlaku.",
    ),
    "output": (
        "Menjajaki pembiayaan non-APBD melalui CSR, kerja sama dengan BUMN/BUMD, atau skema KPBU untuk "
        "program prioritas.",
        "Memastikan setiap OPD mencantumkan program Smart City dalam Renstra dan Renja beserta anggarannya.",
        "Mengaktifkan Forum Smart City sebagai wadah partisipasi perguruan tinggi, dunia usaha dan komunitas.",
    ),
    "outcome": (
        "Menetapkan target tahunan per pilar dan membahas program yang belum berjalan dalam rapat evaluasi "
        "Tim Pelaksana.",
        "Memprioritaskan rencana aksi pengembangan aplikasi dan literasi Smart City yang tertinggal.",
        "Menyusun dasbor capaian indikator per pilar yang dapat diakses Dewan Smart City.",
    ),
    "impact": (
        "Melaksanakan survei kepuasan pengguna layanan secara berkala dan menindaklanjuti hasilnya.",
        "Memperluas sosialisasi layanan digital melalui kecamatan, desa/kelurahan dan media sosial.",
        "Menyediakan kanal umpan balik tunggal dengan standar waktu tanggapan yang dipantau.",
    ),
    "quick_win": (
        "Menyusun dokumen manajemen risiko quick win: identifikasi, analisis dan rencana mitigasi.",
        "Menetapkan strategi keberlanjutan quick win, termasuk penganggaran dan penanggung jawab tetap.",
        "Merumuskan quick win baru yang berangkat dari kebutuhan warga dan potensi unggulan daerah.",
    ),
    "kolaborasi": (
        "Menuangkan program kolaborasi kawasan dalam perjanjian kerja sama antardaerah.",
        "Memperluas kolaborasi dengan daerah tetangga ke pilar Branding, Economy dan Society.",
    ),
}

PILLAR_NAMES = {
    "governance": "Smart Governance",
    "branding": "Smart Branding",
    "economy": "Smart Economy",
    "living": "Smart Living",
    "society": "Smart Society",
    "environment": "Smart Environment",
}
AP_NAMES = {
    "kebijakan_kelembagaan": "pengembangan kebijakan dan kelembagaan",
    "sdm": "peningkatan kapasitas SDM",
    "infrastruktur": "infrastruktur pendukung",
    "aplikasi": "aplikasi pendukung",
    "literasi": "literasi Smart City",
}

# --------------------------------------------------------------------------- assessors (fictional)

ASSESSOR_POOL: tuple[tuple[str, str], ...] = (
    ("Dr. Arief Wicaksana Pranoto, S.T., M.T.", "Sekolah Teknik Elektro dan Informatika, Institut Teknologi Bandung"),
    ("Prof. Dr. Sri Rahayuningtyas, M.Si.", "Fakultas Ilmu Administrasi, Universitas Brawijaya"),
    ("Dr. Hendra Saputra Lubis, M.Kom.", "Fakultas Ilmu Komputer dan Teknologi Informasi, Universitas Sumatera Utara"),
    ("Ir. Dewi Kartikasari Hadiwinoto, M.Sc.", "Praktisi perencanaan kota; tim pakar Gerakan Menuju Smart City"),
    ("Dr. Yusuf Maulana Harahap, M.A.P.", "Departemen Administrasi Publik, Universitas Andalas"),
    ("Rizky Pratama Nugroho, S.Kom., M.M.", "Praktisi tata kelola TIK dan keamanan informasi"),
    ("Dr. Eng. Nur Aini Fitriyani, S.T., M.Eng.", "Departemen Teknik Sipil dan Lingkungan, Universitas Gadjah Mada"),
    ("Drs. Bambang Setiadjie Kusumo, M.Si.", "Tim pakar Gerakan Menuju Smart City, kementerian pembina"),
    ("Dr. Ratna Juwita Siregar, S.E., M.Si.", "Fakultas Ekonomi dan Bisnis, Universitas Riau"),
    ("Muhammad Fadhil Akbarsyah, S.T., M.B.A.", "Praktisi transformasi digital sektor publik"),
    ("Dr. Lestari Wulandhari, S.IP., M.Si.", "Fakultas Ilmu Sosial dan Ilmu Politik, Universitas Airlangga"),
    ("Teguh Santoso Wibisana, S.Kom., M.T.", "Praktisi pengembangan aplikasi pemerintahan; tim pakar kementerian"),
    (
        "Dr. Intan Permatasari Wiradinata, S.T., M.Sc.",
        "Sekolah Arsitektur, Perencanaan dan Pengembangan Kebijakan, Institut Teknologi Bandung",
    ),
    ("Dr. Agus Salim Hasibuan, M.T.", "Fakultas Teknik, Universitas Negeri Padang"),
)

# --------------------------------------------------------------------------- regions and evaluations


@dataclass(frozen=True)
class Region:
    """A sample region with its public facts and the texts specific to it."""

    name: str
    code: str
    province: str
    category: str
    cohort: str
    pillar_weights: tuple[int, int, int, int, int, int]
    flagships: tuple[tuple[str, str, str, str], ...] = ()
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()  # generic programmes that duplicate a named one

    @property
    def slug(self) -> str:
        return slugify(self.name)


REGIONS: dict[str, Region] = {
    r.slug: r
    for r in (
        Region(
            "Kab. Malang",
            "35.07",
            "Jawa Timur",
            "KPPN&IKN",
            "2021 (KPPN)",
            (20, 15, 16, 19, 16, 14),
            strengths=(
                "Layanan kesehatan dan pendidikan digital menjangkau kecamatan-kecamatan di wilayah {region} yang "
                "luas.",
                "Posisi {region} di kawasan pariwisata prioritas Bromo–Tengger–Semeru dimanfaatkan untuk promosi "
                "destinasi dan produk UMKM.",
                "Pemerintah daerah konsisten menjalankan program masterplan sejak bergabung pada kohort 2021.",
            ),
            weaknesses=(
                "Luas wilayah dan banyaknya desa membuat akses internet dan layanan digital belum merata hingga "
                "ke desa terpencil.",
                "Program Smart City masih bertumpu pada APBD; pendanaan dari mitra swasta dan BUMDes belum "
                "dimanfaatkan.",
            ),
            advice=(
                "Menyusun peta jalan pemerataan akses internet desa bersama penyedia jaringan dan BUMDes.",
                "Memperkuat kolaborasi dengan daerah di kawasan Bromo–Tengger–Semeru pada pilar Branding dan Economy.",
            ),
        ),
        Region(
            "Kota Padang Panjang",
            "13.74",
            "Sumatera Barat",
            "REGULER",
            "2017–2019",
            (27, 18, 19, 22, 21, 16),
            flagships=(
                ("governance", "tata_kelola_birokrasi", "Command Centre Kota Padang Panjang", "kominfo"),
                ("governance", "tata_kelola_birokrasi", "Pelatihan teknis peningkatan kapasitas aparatur", "bkpsdm"),
                (
                    "living",
                    "sarana_telekomunikasi_transportasi",
                    "Jaringan internet untuk pemerintahan dan masyarakat",
                    "kominfo",
                ),
                ("branding", "city_appearance_branding", "Revitalisasi ruang publik: trotoar, taman dan pasar", "pupr"),
                ("branding", "city_appearance_branding", "Pembangunan gedung pemerintahan ikonik", "pupr"),
                ("economy", "industri", "Gerobak kreatif bagi UMKM binaan pemerintah kota", "koperasi"),
                (
                    "living",
                    "harmonisasi_tata_ruang",
                    "Ruang bermain ramah anak, lansia dan penyandang disabilitas",
                    "perkim",
                ),
                ("society", "komunitas", "Revitalisasi sport centre", "pariwisata"),
                ("society", "pendidikan", "Revitalisasi sarana sekolah", "pendidikan"),
            ),
            strengths=(
                "Pembangunan Command Centre dan jaringan internet untuk pemerintahan dan masyarakat menunjukkan "
                "komitmen pimpinan daerah pada infrastruktur digital.",
                "Revitalisasi ruang publik — trotoar, taman, pasar, sekolah dan sport centre — memperkuat wajah "
                "kota dan kenyamanan warga.",
                "Ruang bermain yang ramah anak, lansia dan penyandang disabilitas menunjukkan perhatian pada "
                "kelompok rentan.",
                "Gerobak kreatif bagi UMKM binaan memberi dukungan nyata bagi pelaku usaha kecil sekaligus "
                "memperindah kawasan kota.",
            ),
            weaknesses=(
                "Command Centre baru dimanfaatkan untuk pemantauan; integrasi data lintas OPD untuk pengambilan "
                "keputusan belum berjalan.",
                "Sebagian program masterplan belum berjalan karena belum dijabarkan dalam Renja OPD dan "
                "terkendala anggaran.",
            ),
            advice=(
                "Mengintegrasikan data layanan OPD ke Command Centre dan menyusun dasbor indikator kinerja untuk "
                "rapat pimpinan.",
                "Menyusun skema pemeliharaan ruang publik hasil revitalisasi bersama komunitas dan pelaku usaha.",
                "Melanjutkan pelatihan teknis aparatur, terutama pengelolaan data dan keamanan informasi.",
            ),
            excludes=("Pengadaan perangkat ruang kendali (command centre)",),
        ),
        Region(
            "Kab. Pelalawan",
            "14.05",
            "Riau",
            "REGULER",
            "2017",
            (24, 15, 17, 18, 15, 14),
            flagships=(
                ("governance", "kebijakan_publik", "Satu OPD satu layanan publik unggulan", "organisasi"),
                ("governance", "tata_kelola_birokrasi", "SiMaya, surat elektronik perencanaan daerah", "bappeda"),
                (
                    "governance",
                    "layanan_publik",
                    "Perizinan daring SiCantik Cloud dan OSS (pengganti Sipolan)",
                    "dpmptsp",
                ),
                ("governance", "tata_kelola_birokrasi", "Sistem informasi penganggaran daerah", "bpkad"),
                ("governance", "tata_kelola_birokrasi", "Sistem informasi kepegawaian", "bkpsdm"),
                ("governance", "kebijakan_publik", "Jaringan Dokumentasi dan Informasi Hukum (JDIH)", "hukum"),
                ("governance", "layanan_publik", "Situs web dan layanan informasi pertanian", "pertanian"),
                ("governance", "layanan_publik", "Pengujian kendaraan bermotor daring", "perhubungan"),
                ("branding", "tourism_branding", "Aplikasi Pesona Pelalawan", "pariwisata"),
                (
                    "branding",
                    "tourism_branding",
                    "Komunitas peduli wisata: Bono River Community dan Balaswita",
                    "pariwisata",
                ),
                ("economy", "kesejahteraan_rakyat", "BUMDes dengan aplikasi Simkedes", "pmd"),
                ("economy", "industri", "Pelatihan keterampilan vokasi", "naker"),
                ("economy", "ekosistem_transaksi_keuangan", "Layanan pajak daerah daring bersama bank BUMN", "bapenda"),
                ("living", "prasarana_kesehatan", "E-Health", "kesehatan"),
                (
                    "living",
                    "prasarana_kesehatan",
                    "Pembinaan perilaku hidup bersih dan sehat rumah tangga",
                    "kesehatan",
                ),
                ("living", "prasarana_kesehatan", "Pengawasan keamanan pangan industri rumah tangga", "kesehatan"),
                ("living", "sarana_telekomunikasi_transportasi", "Angkutan air", "perhubungan"),
                ("living", "harmonisasi_tata_ruang", "Kabupaten Layak Anak", "p3a"),
                ("society", "pendidikan", "E-Library", "arsip"),
                ("society", "pendidikan", "Perpustakaan keliling dan perpustakaan terapung", "arsip"),
                ("society", "komunitas", "Hari bebas kendaraan bermotor (car free day)", "pariwisata"),
                ("society", "komunitas", "Pembinaan komunitas hobi dan olahraga", "pariwisata"),
                ("environment", "proteksi_lingkungan", "Penegakan hukum lingkungan", "lh"),
                ("environment", "proteksi_lingkungan", "Pengaduan lingkungan daring", "lh"),
                ("environment", "tata_kelola_sampah_limbah", "Tabungan bank sampah Sigemas", "lh"),
                ("environment", "proteksi_lingkungan", "Penilaian sekolah Adiwiyata daring", "lh"),
            ),
            strengths=(
                "Kebijakan satu OPD satu layanan unggulan mendorong inovasi layanan publik di seluruh perangkat "
                "daerah.",
                "Perizinan telah beralih dari Sipolan ke SiCantik Cloud dan OSS sehingga prosesnya lebih cepat "
                "dan dapat dipantau pemohon.",
                "Aplikasi Pesona Pelalawan serta komunitas Bono River Community dan Balaswita memperkuat promosi "
                "wisata sungai.",
                "Tabungan bank sampah Sigemas dan penilaian sekolah Adiwiyata daring melibatkan warga dan sekolah "
                "dalam pengelolaan lingkungan.",
            ),
            weaknesses=(
                "Manfaat E-Health dan E-Library belum banyak dirasakan warga di kecamatan yang jauh dari ibu kota "
                "kabupaten.",
                "SiMaya, sistem penganggaran dan sistem kepegawaian masih berdiri sendiri dan belum terintegrasi "
                "dalam arsitektur SPBE daerah.",
            ),
            advice=(
                "Mengintegrasikan SiMaya, sistem penganggaran dan sistem kepegawaian dalam arsitektur SPBE dengan "
                "satu data pegawai dan anggaran.",
                "Memperluas jangkauan perpustakaan keliling dan terapung serta E-Health ke desa-desa di sepanjang "
                "sungai.",
                "Mengukur kepuasan pengguna BUMDes Simkedes dan layanan pajak daring untuk memperbaiki dimensi dampak.",
            ),
            excludes=(
                "Perizinan berusaha berbasis risiko melalui OSS",
                "Pengaduan lingkungan hidup daring",
                "Hari bebas kendaraan bermotor dan kegiatan komunitas olahraga",
                "Bank sampah digital",
                "Pelatihan kerja berbasis kompetensi",
                "Perpustakaan digital daerah",
                "Pembinaan sekolah Adiwiyata",
                "Pengujian kendaraan bermotor dengan bukti lulus uji elektronik",
            ),
        ),
        Region(
            "Kota Payakumbuh",
            "13.76",
            "Sumatera Barat",
            "REGULER",
            "2022",
            (20, 17, 17, 16, 16, 14),
            flagships=(
                ("governance", "layanan_publik", "MY KOPAY", "kominfo"),
                (
                    "governance",
                    "kebijakan_publik",
                    "Penerapan SPBE berdasarkan Peraturan Daerah Nomor 3 Tahun 2019",
                    "kominfo",
                ),
                ("living", "prasarana_kesehatan", "SIPADUKO, sistem informasi puskesmas terpadu", "kesehatan"),
                ("society", "keamanan", "Satpol PP dan Damkar Goes to School", "satpol"),
                ("environment", "tata_kelola_sampah_limbah", "Gerakan Peduli Lingkungan Sejak Dini", "lh"),
                ("branding", "tourism_branding", "Festival budaya Terkesima", "pariwisata"),
                ("branding", "business_branding", "City of Randang dan festival memasak rendang", "pariwisata"),
                (
                    "economy",
                    "ekosistem_transaksi_keuangan",
                    "Bang Soleh, promosi daring dan transaksi nontunai UMKM",
                    "koperasi",
                ),
            ),
            strengths=(
                "SIPADUKO memudahkan warga mengetahui jam layanan, jenis layanan dan tenaga kesehatan puskesmas, "
                "dan telah meraih penghargaan pelayanan publik.",
                "Satpol PP dan Damkar Goes to School telah menjangkau sebagian besar sekolah dengan materi "
                "peraturan daerah, kesiapsiagaan bencana dan tertib lalu lintas.",
                "MY KOPAY menjadi kanal informasi kota, kegiatan pemerintah, produk UMKM, lowongan kerja dan agenda "
                "acara.",
                "Branding City of Randang melalui festival Terkesima dan festival memasak rendang memperkuat "
                "identitas kota.",
                "Peraturan Daerah Nomor 3 Tahun 2019 tentang SPBE memberi landasan hukum bagi layanan digital.",
            ),
            weaknesses=(
                "Sebagai peserta bimbingan teknis 2022, program masterplan belum seluruhnya masuk Renja OPD dan "
                "belum memiliki pagu anggaran.",
                "Bang Soleh belum didukung data transaksi nontunai UMKM yang dapat dipakai mengukur dampaknya.",
                "Gerakan Peduli Lingkungan Sejak Dini belum memiliki indikator pengurangan plastik sekali pakai "
                "yang terukur.",
            ),
            advice=(
                "Menetapkan indikator kinerja Bang Soleh, misalnya jumlah UMKM yang menerima pembayaran nontunai "
                "dan nilai transaksinya.",
                "Mengintegrasikan SIPADUKO ke MY KOPAY agar informasi layanan kesehatan dapat diakses dari satu "
                "aplikasi.",
                "Mereplikasi kemitraan Gerakan Peduli Lingkungan Sejak Dini dengan tokoh masyarakat, guru dan "
                "fasilitator ke seluruh kelurahan.",
            ),
            excludes=("Festival budaya tahunan",),
        ),
        Region(
            "Kota Batam",
            "21.71",
            "Kepulauan Riau",
            "REGULER",
            "2017–2019",
            (19, 16, 18, 17, 16, 14),
            flagships=(
                (
                    "governance",
                    "layanan_publik",
                    "SIAPE, layanan administrasi kependudukan daring (e-KTP, perubahan foto, sidang perkawinan)",
                    "dukcapil",
                ),
            ),
            strengths=(
                "SIAPE memudahkan layanan kependudukan secara daring, mulai dari permohonan dan perekaman e-KTP, "
                "perubahan foto e-KTP, hingga sidang perkawinan di Disdukcapil.",
                "Infrastruktur jaringan yang baik dan ekosistem industri yang kuat mendukung layanan digital dan "
                "investasi.",
                "Program Smart City tercantum dalam dokumen perencanaan banyak OPD sehingga keterlibatan perangkat "
                "daerah luas.",
            ),
            weaknesses=(
                "Layanan digital di wilayah pulau-pulau hinterland belum setara dengan wilayah perkotaan.",
                "Banyaknya aplikasi OPD belum diikuti interoperabilitas data; warga masih mengunggah dokumen yang "
                "sama berulang kali.",
            ),
            advice=(
                "Memperluas layanan SIAPE ke kecamatan hinterland melalui layanan jemput bola dan gerai di kantor "
                "kelurahan.",
                "Menerapkan prinsip satu data dan interoperabilitas antaraplikasi OPD sesuai arsitektur SPBE.",
            ),
            excludes=("Layanan administrasi kependudukan daring",),
        ),
        Region(
            "Kota Pariaman",
            "13.77",
            "Sumatera Barat",
            "REGULER",
            "2017–2019",
            (20, 17, 16, 17, 16, 14),
            strengths=(
                "Pemerintah kota konsisten menerapkan konsep Smart City meskipun kapasitas fiskal terbatas.",
                "Potensi wisata pesisir dan budaya dimanfaatkan sebagai dasar Smart Branding {region}.",
            ),
            weaknesses=(
                "Masterplan Smart City belum sepenuhnya dijabarkan dalam rencana kerja OPD sehingga banyak program "
                "belum beranggaran.",
                "Jumlah SDM TIK di Diskominfo terbatas untuk mengelola aplikasi dan infrastruktur yang ada.",
            ),
            advice=(
                "Menyusun prioritas program Smart City yang realistis sesuai kapasitas fiskal dan menjajaki "
                "kemitraan dengan perguruan tinggi di Sumatera Barat.",
                "Menambah dan melatih SDM TIK melalui program sertifikasi kompetensi.",
            ),
        ),
    )
}


@dataclass(frozen=True)
class Dispute:
    """An item the panel disputed (scores 2 points or more apart): the assessors' scores in code order, and the
    agreed score and reason when the panel has settled it (None: still open).

    The made-up panel otherwise never differs by more than a point. An open dispute keeps the item's total, so its
    panel mean; a settled one is agreed on the panel mean the item had, so every dimension score stays the same.
    """

    item: str
    scores: tuple[int, ...]
    agreed: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Evaluation:
    """One sample workbook: region x year x stage, with how its scores are made."""

    region: str  # slug
    year: int
    stage: int
    panel: int
    date: datetime
    programmes: int
    running: int | None = None  # exact number of running programmes (None: from ``running_rate``)
    running_rate: float = 0.8
    targets: dict[str, str] = field(default_factory=dict)  # made-up dimension scores (2 decimals)
    #: published dimension scores, nilai_final and improvement (2 decimals)
    published: dict[str, str] = field(default_factory=dict)
    final_range: tuple[str, str] | None = None  # exact Nilai Final must lie in (lo, hi)
    malang_year: int | None = None  # item values from malang_items.yaml
    #: published realisation percentages: "programmes", "action_plan" (overall) and per action-plan category
    realisation: dict[str, str] = field(default_factory=dict)
    #: (done, planned) of action-plan categories to keep (any multiple); the others are searched
    action_plan_base: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: items the panel disputed (listed on the Moderasi sheet)
    disputes: tuple[Dispute, ...] = ()
    #: also write each assessor's own workbook, under assessors/<year>/tahap-<stage>/<region>/<code>.xlsx
    assessor_workbooks: bool = False


EVALUATIONS: tuple[Evaluation, ...] = (
    # Kab. Malang: published items 2022 and 2023; 2024 made up
    Evaluation("kab-malang", 2022, 2, 4, datetime(2022, 11, 8, 9, 0), 62, running_rate=0.79, malang_year=2022),
    Evaluation("kab-malang", 2023, 2, 5, datetime(2023, 11, 14, 9, 0), 74, running_rate=0.84, malang_year=2023),
    Evaluation(
        "kab-malang",
        2024,
        1,
        5,
        datetime(2024, 7, 16, 9, 0),
        80,
        running_rate=0.78,
        targets={
            "baseline": "3.40",
            "output": "2.31",
            "outcome": "3.22",
            "impact": "2.74",
            "quick_win": "2.95",
            "kolaborasi": "2.47",
        },
    ),
    Evaluation(
        "kab-malang",
        2024,
        2,
        5,
        datetime(2024, 11, 12, 9, 0),
        80,
        running_rate=0.86,
        targets={
            "baseline": "3.64",
            "output": "2.46",
            "outcome": "3.45",
            "impact": "2.90",
            "quick_win": "3.18",
            "kolaborasi": "2.70",
        },
    ),
    # Kota Padang Panjang: 2023 published dimension scores; 2024 published realisation
    Evaluation(
        "kota-padang-panjang",
        2023,
        2,
        5,
        datetime(2023, 11, 15, 13, 0),
        112,
        running_rate=0.68,
        published={
            "baseline": "3.20",
            "output": "2.11",
            "outcome": "2.59",
            "impact": "2.61",
            "quick_win": "1.83",
            "nilai_final": "2.41",
            "improvement": "-0.39",
        },
        final_range=("2.405", "2.415"),
    ),
    Evaluation(
        "kota-padang-panjang",
        2024,
        1,
        5,
        datetime(2024, 7, 17, 13, 0),
        118,
        running=74,
        targets={"baseline": "3.12", "output": "2.14", "outcome": "2.56", "impact": "2.57", "quick_win": "1.92"},
    ),
    Evaluation(
        "kota-padang-panjang",
        2024,
        2,
        5,
        datetime(2024, 11, 13, 9, 0),
        123,
        running=87,
        targets={"baseline": "3.28", "output": "2.26", "outcome": "2.70", "impact": "2.66", "quick_win": "2.02"},
        realisation={
            "programmes": "70.73",
            "action_plan": "94.46",
            "kebijakan_kelembagaan": "92.86",
            "infrastruktur": "91.67",
        },
        action_plan_base={"kebijakan_kelembagaan": (13, 14), "infrastruktur": (11, 12)},
        disputes=(
            Dispute("OP-03", (1, 2, 2, 3, 3)),
            Dispute(
                "QW-05",
                (1, 2, 2, 4, 3),
                2,
                "Kemitraan baru sebatas nota kesepahaman dengan dua perguruan tinggi; kerja sama dengan swasta dan "
                "komunitas belum berjalan. Panel sepakat pada skor 2.",
            ),
        ),
        assessor_workbooks=True,
    ),
    # Kab. Pelalawan: 2023 published dimension scores; 2024 made up
    Evaluation(
        "kab-pelalawan",
        2023,
        2,
        5,
        datetime(2023, 11, 16, 9, 0),
        48,
        running_rate=0.71,
        published={
            "baseline": "2.64",
            "output": "1.97",
            "outcome": "2.46",
            "impact": "1.36",
            "quick_win": "1.83",
            "nilai_final": "2.03",
            "improvement": "-0.46",
        },
        final_range=("2.025", "2.035"),
    ),
    Evaluation(
        "kab-pelalawan",
        2024,
        2,
        4,
        datetime(2024, 11, 14, 9, 0),
        52,
        running_rate=0.75,
        targets={"baseline": "2.75", "output": "2.07", "outcome": "2.52", "impact": "1.52", "quick_win": "1.96"},
    ),
    # Kota Payakumbuh, Kota Batam, Kota Pariaman: made up
    Evaluation(
        "kota-payakumbuh",
        2023,
        2,
        4,
        datetime(2023, 11, 21, 9, 0),
        30,
        running_rate=0.73,
        targets={"baseline": "2.80", "output": "1.93", "outcome": "2.38", "impact": "2.25", "quick_win": "2.46"},
    ),
    Evaluation(
        "kota-payakumbuh",
        2024,
        2,
        5,
        datetime(2024, 11, 19, 9, 0),
        36,
        running_rate=0.78,
        targets={"baseline": "3.00", "output": "2.09", "outcome": "2.55", "impact": "2.40", "quick_win": "2.62"},
    ),
    Evaluation(
        "kota-batam",
        2023,
        2,
        5,
        datetime(2023, 11, 22, 9, 0),
        96,
        running_rate=0.86,
        targets={"baseline": "3.52", "output": "2.80", "outcome": "3.12", "impact": "2.95", "quick_win": "2.88"},
    ),
    Evaluation(
        "kota-batam",
        2024,
        2,
        4,
        datetime(2024, 11, 20, 9, 0),
        104,
        running_rate=0.88,
        targets={"baseline": "3.60", "output": "2.86", "outcome": "3.20", "impact": "3.02", "quick_win": "2.94"},
    ),
    Evaluation(
        "kota-pariaman",
        2023,
        2,
        4,
        datetime(2023, 11, 23, 9, 0),
        40,
        running_rate=0.65,
        targets={"baseline": "2.40", "output": "1.74", "outcome": "2.12", "impact": "2.05", "quick_win": "1.90"},
    ),
    Evaluation(
        "kota-pariaman",
        2024,
        2,
        5,
        datetime(2024, 11, 21, 9, 0),
        44,
        running_rate=0.70,
        targets={"baseline": "2.56", "output": "1.86", "outcome": "2.25", "impact": "2.12", "quick_win": "2.08"},
    ),
)

# --------------------------------------------------------------------------- numbers


def frac(value: object) -> Fraction:
    """Exact value of a YAML/CSV number or string."""
    return to_fraction(value if not isinstance(value, int | float) else str(value))


def id_number(value: Decimal | Fraction, places: int = 2) -> str:
    """Indonesian decimal comma: 70.73 -> ``70,73``."""
    return str(round_half_up(value, places)).replace(".", ",")


def rng_for(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from ``parts`` (string seeds are stable across runs)."""
    return random.Random(":".join([SEED, *map(str, parts)]))


def candidate_totals(target: str, k: int, n: int, exact: bool) -> list[int]:
    """Score totals S (k items x n assessors) with mean S/(k n) rounding half-up to ``target``."""
    if not exact:
        return [int(round_half_up(frac(target) * k * n, 0))]
    wanted = Decimal(target)
    found = [s for s in range(4 * k * n + 1) if round_half_up(Fraction(s, k * n)) == wanted]
    if not found:
        raise ValueError(f"no total of {k} items x {n} assessors has mean {target}")
    return found


def fit_totals(ev: Evaluation, bank: pd.DataFrame, profile: mth.WeightProfile) -> dict[str, int]:
    """Per-dimension score totals reproducing the targets (and the published Nilai Final, if any)."""
    exact = bool(ev.published)
    targets = ev.published or ev.targets
    dims = [d for d in bank["dimension"].unique() if profile.weights.get(d)]
    sizes = {d: int((bank["dimension"] == d).sum()) for d in dims}
    options = {d: candidate_totals(targets[d], sizes[d], ev.panel, exact) for d in dims}
    best: tuple[Fraction, dict[str, int]] | None = None
    for combo in itertools.product(*(options[d] for d in dims)):
        totals = dict(zip(dims, combo, strict=True))
        final = nilai_final({d: Fraction(totals[d], sizes[d] * ev.panel) for d in dims}, profile)
        if exact and round_half_up(final) != Decimal(targets["nilai_final"]):
            continue
        if ev.final_range and not frac(ev.final_range[0]) < final < frac(ev.final_range[1]):
            continue
        distance = abs(final - frac(targets.get("nilai_final", final)))
        if best is None or distance < best[0]:
            best = (distance, totals)
    if best is None:
        raise ValueError(f"{ev.region} {ev.year}: no integer totals reproduce the published scores")
    return best[1]


def item_totals(items: pd.DataFrame, n: int, total: int, rng: random.Random, spread: float = 0.55) -> list[int]:
    """Integer item totals (each 0..4n) summing to ``total``; items vary around the dimension mean.

    Items of the same pillar share an offset, so survey statements of one pillar look alike.
    """
    k = len(items)
    mean = total / (k * n)
    groups = {p: rng.gauss(0, 0.3) for p in items["pillar"].fillna("-").unique()}
    ideal = [min(4.0, max(0.0, mean + groups[p] + rng.gauss(0, spread))) * n for p in items["pillar"].fillna("-")]
    totals = [min(4 * n, max(0, int(x + 0.5))) for x in ideal]
    while sum(totals) != total:
        if sum(totals) < total:
            i = max((i for i in range(k) if totals[i] < 4 * n), key=lambda i: ideal[i] - totals[i])
            totals[i] += 1
        else:
            i = max((i for i in range(k) if totals[i] > 0), key=lambda i: totals[i] - ideal[i])
            totals[i] -= 1
    return totals


def split_total(total: int, biases: Sequence[float], rng: random.Random) -> list[int]:
    """Integer scores 0..4, one per assessor, summing to ``total``; spread at most 1 point (a panel that differs by
    2 points or more must moderate the item, which the sample does only where :class:`Dispute` says so)."""
    n = len(biases)
    mean = total / n
    ideal = [min(4.0, max(0.0, mean + b + rng.gauss(0, 0.45))) for b in biases]
    scores = [min(4, max(0, int(x + 0.5))) for x in ideal]
    while sum(scores) != total:
        if sum(scores) < total:
            j = max((j for j in range(n) if scores[j] < 4), key=lambda j: ideal[j] - scores[j])
            scores[j] += 1
        else:
            j = max((j for j in range(n) if scores[j] > 0), key=lambda j: scores[j] - ideal[j])
            scores[j] -= 1
    while max(scores) - min(scores) > 1:
        scores[scores.index(max(scores))] -= 1
        scores[scores.index(min(scores))] += 1
    return scores


def score_table(
    bank: pd.DataFrame, dims: Iterable[str], totals: dict[str, list[int]], codes: list[str], rng: random.Random
) -> pd.DataFrame:
    """The Skor sheet: one Int64 column per assessor, rows in bank order."""
    biases = [rng.gauss(0, 0.3) for _ in codes]
    rows: dict[str, list[int]] = {}
    for dim in dims:
        ids = bank.index[bank["dimension"] == dim]
        for item_id, item_total in zip(ids, totals[dim], strict=True):
            rows[item_id] = split_total(item_total, biases, rng)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=codes).astype("Int64")
    frame.index.name = "item_id"
    return frame.reindex(bank.index)


def malang_totals(year: int, bank: pd.DataFrame, n: int) -> dict[str, list[int]]:
    """Item totals (panel mean x n) of the published Kab. Malang report, mapped in order onto the bank."""
    data = yaml.safe_load((REFERENCE / "malang_items.yaml").read_text(encoding="utf-8"))
    items = data["evaluations"][year]["items"]
    out: dict[str, list[int]] = {}
    for dim, values in items.items():
        ids = bank.index[bank["dimension"] == dim]
        if len(ids) != len(values):
            raise ValueError(f"Malang {year} {dim}: {len(values)} published items, bank has {len(ids)}")
        totals = [frac(v) * n for v in values]
        if any(t.denominator != 1 for t in totals):
            raise ValueError(f"Malang {year} {dim}: values are not means of {n} integer scores")
        out[dim] = [int(t) for t in totals]
    return out


# --------------------------------------------------------------------------- programmes and action plan


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder)."""
    exact = [Fraction(total * w, sum(weights)) for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def programme_catalogue(region: Region) -> dict[str, list[tuple[str, str, str, bool, bool]]]:
    """The region's programmes per pillar in a fixed order: its named programmes first, then generic ones.

    Each entry is (sub_dimension, name, agency, named, quick_win). The order and the quick-win flags depend
    only on the region, so a later year's list extends an earlier one.
    """
    rng = rng_for(region.slug, "catalogue")
    flagship_names = {f[2] for f in region.flagships}
    out: dict[str, list[tuple[str, str, str, bool, bool]]] = {}
    for pillar in mth.PILLAR_KEYS:
        named = [(s, name, OPD[a], True, True) for p, s, name, a in region.flagships if p == pillar]
        generic = [
            (s, name, OPD[a], False, rng.random() < 0.08)
            for p, s, name, a in GENERIC_PROGRAMMES
            if p == pillar and name not in flagship_names and name not in region.excludes
        ]
        rng.shuffle(generic)
        out[pillar] = named + generic
    return out


def build_programmes(region: Region, ev: Evaluation, rng: random.Random) -> pd.DataFrame:
    """Programmes with statuses: ``ev.programmes`` in all, the given number (or share) running."""
    catalogue = programme_catalogue(region)
    counts = allocate(ev.programmes, region.pillar_weights)
    rows = []
    for pillar, count in zip(mth.PILLAR_KEYS, counts, strict=True):
        if count > len(catalogue[pillar]):
            raise ValueError(
                f"{region.name}: {count} programmes wanted in {pillar}, {len(catalogue[pillar])} available"
            )
        for sub, name, agency, named, quick_win in catalogue[pillar][:count]:
            rows.append(
                {
                    "pillar": pillar,
                    "sub_dimension": sub,
                    "name": name,
                    "agency": agency,
                    "quick_win": quick_win,
                    "named": named,
                }
            )
    running = ev.running if ev.running is not None else round(ev.programmes * ev.running_rate)
    order = sorted(
        range(len(rows)),
        key=lambda i: rng.random() - (0.6 if rows[i]["named"] else 0.0) - (0.2 if rows[i]["quick_win"] else 0.0),
    )
    runs = set(order[:running])
    for i, row in enumerate(rows):
        row["status"] = "berjalan" if i in runs else ("terhenti" if rng.random() < 0.2 else "belum_berjalan")
        del row["named"]
    frame = pd.DataFrame(rows, columns=["pillar", "sub_dimension", "name", "agency", "quick_win", "status"])
    return frame.astype({"quick_win": bool})


PADANG_PANJANG_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "kebijakan_kelembagaan": (
        "Penetapan regulasi dan SOP pengelolaan Command Centre",
        "Rapat Dewan Smart City dan Tim Pelaksana",
        "Penyelarasan program Smart City dalam Renja OPD",
        "Penetapan kebijakan pembinaan UMKM penerima gerobak kreatif",
    ),
    "sdm": (
        "Pelatihan teknis bagi aparatur pengelola layanan digital",
        "Pelatihan operator Command Centre",
        "Pendampingan UMKM binaan pengguna gerobak kreatif",
    ),
    "infrastruktur": (
        "Pembangunan dan pengoperasian Command Centre",
        "Perluasan jaringan internet untuk pemerintahan dan masyarakat",
        "Revitalisasi trotoar, taman dan pasar",
        "Revitalisasi sekolah dan sport centre",
        "Ruang bermain ramah anak, lansia dan penyandang disabilitas",
        "Pembangunan gedung pemerintahan ikonik",
        "Pengadaan gerobak kreatif bagi UMKM binaan",
    ),
    "aplikasi": (
        "Integrasi aplikasi layanan OPD ke Command Centre",
        "Pengembangan dasbor data kota",
        "Aplikasi pemantauan dan pemeliharaan ruang publik",
    ),
    "literasi": (
        "Sosialisasi pemanfaatan jaringan internet publik",
        "Literasi digital bagi pelaku UMKM binaan",
        "Kampanye kota cerdas melalui media sosial pemerintah kota",
    ),
}


def search_action_plan(
    fixed: dict[str, tuple[int, int]], overall: Decimal, others: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """Integer (done, planned) per category so the fixed categories keep their percentages (any multiple of
    the given counts) and the overall realisation rounds to ``overall``; the rest is shared evenly.

    Among solutions, take the one with the fewest activities planned, then the most even categories.
    """
    best: tuple[tuple[int, int], dict[str, tuple[int, int]]] | None = None
    for mults in itertools.product(range(1, 4), repeat=len(fixed)):
        base = {c: (d * m, p * m) for (c, (d, p)), m in zip(fixed.items(), mults, strict=True)}
        base_done = sum(d for d, _ in base.values())
        base_planned = sum(p for _, p in base.values())
        for planned in range(base_planned + 3 * len(others), 1000):
            near = int(overall * planned / 100)
            done = [
                d for d in range(max(base_done, near - 1), min(planned, near + 2) + 1) if percent(d, planned) == overall
            ]
            if not done:
                continue
            rest_p, rest_d = planned - base_planned, done[0] - base_done
            if not 0 <= rest_p - rest_d <= rest_p:
                continue
            ps = allocate(rest_p, [1] * len(others))
            missing = allocate(rest_p - rest_d, [1] * len(others))
            result = dict(base)
            result.update({c: (p - m, p) for c, p, m in zip(others, ps, missing, strict=True)})
            planned_all = [p for _, p in result.values()]
            key = (planned, max(planned_all) - min(planned_all))
            if best is None or key < best[0]:
                best = (key, result)
            break
    if best is None:
        raise ValueError("no integer action-plan counts give the published realisation")
    return best[1]


def split_counts(done: int, planned: int, parts: int, rng: random.Random) -> list[tuple[int, int]]:
    """Split a category's (done, planned) over ``parts`` activities, each with at least one planned."""
    parts = min(parts, planned)
    cuts = sorted(rng.sample(range(1, planned), parts - 1)) if parts > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, planned], strict=True)]
    dones = list(sizes)
    for _ in range(planned - done):
        j = rng.choice([j for j in range(parts) if dones[j] > 0])
        dones[j] -= 1
    return list(zip(dones, sizes, strict=True))


def build_action_plan(region: Region, ev: Evaluation, rng: random.Random) -> pd.DataFrame:
    """Action-plan activities in the five categories with planned/done counts."""
    categories = ("kebijakan_kelembagaan", "sdm", "infrastruktur", "aplikasi", "literasi")
    names = PADANG_PANJANG_ACTIVITIES if region.slug == "kota-padang-panjang" else GENERIC_ACTIVITIES
    if ev.action_plan_base:
        fixed = ev.action_plan_base
        overall = Decimal(ev.realisation["action_plan"])
        counts = search_action_plan(fixed, overall, [c for c in categories if c not in fixed])
    else:
        counts = {}
        for c in categories:
            planned = rng.randint(4, 18)
            counts[c] = (planned - min(planned, int(rng.random() * 0.3 * planned + 0.5)), planned)
    rows = []
    for c in categories:
        done, planned = counts[c]
        pool = list(names[c])
        if names is GENERIC_ACTIVITIES:
            rng.shuffle(pool)
            pool = pool[: rng.randint(2, min(4, len(pool)))]
        for activity, (d, p) in zip(pool, split_counts(done, planned, len(pool), rng), strict=False):
            rows.append({"category": c, "activity": activity, "planned": p, "done": d})
    return pd.DataFrame(rows, columns=["category", "activity", "planned", "done"]).astype(
        {"planned": "int64", "done": "int64"}
    )


# --------------------------------------------------------------------------- assessors and findings


def build_panel(n: int, rng: random.Random) -> pd.DataFrame:
    """``n`` fictional assessors A1..An from the pool."""
    chosen = rng.sample(ASSESSOR_POOL, n)
    frame = pd.DataFrame(
        chosen, columns=["name", "affiliation"], index=pd.Index([f"A{i}" for i in range(1, n + 1)], name="code")
    )
    return frame


def build_findings(
    region: Region,
    codes: list[str],
    dims: dict[str, Fraction],
    programmes: pd.DataFrame,
    action_plan: pd.DataFrame,
    rng: random.Random,
) -> pd.DataFrame:
    """Per assessor 1-3 strengths, weaknesses and recommendations, from the region and its weak dimensions."""
    ranked = sorted(dims, key=lambda d: (dims[d], d))
    weak, strong = ranked[:2], ranked[-2:]
    prog = programmes.assign(run=programmes["status"] == "berjalan").groupby("pillar")["run"].agg(["sum", "count"])
    share = {p: Fraction(int(prog.at[p, "sum"]), int(prog.at[p, "count"])) for p in prog.index}
    low = min(share, key=lambda p: (share[p], p))
    high = max(share, key=lambda p: (share[p], p))
    ap = action_plan.groupby("category")[["done", "planned"]].sum()
    ap_low = min(ap.index, key=lambda c: (Fraction(int(ap.at[c, "done"]), int(ap.at[c, "planned"])), c))

    def pct(pillar: str) -> str:
        s, c = int(prog.at[pillar, "sum"]), int(prog.at[pillar, "count"])
        return f"{id_number(Fraction(100 * s, c))}% ({s} dari {c} program)"

    ap_done, ap_planned = int(ap.at[ap_low, "done"]), int(ap.at[ap_low, "planned"])
    pools = {
        "kekuatan": [
            *region.strengths,
            *(t for d in strong for t in DIM_STRENGTH[d]),
            f"Realisasi program pilar {PILLAR_NAMES[high]} tinggi, {pct(high)} berjalan.",
        ],
        "kelemahan": [
            *region.weaknesses,
            *(t for d in weak for t in DIM_WEAKNESS[d]),
            f"Realisasi program pilar {PILLAR_NAMES[low]} baru {pct(low)} berjalan.",
            f"Rencana aksi {AP_NAMES[ap_low]} baru terlaksana {ap_done} dari {ap_planned} kegiatan.",
        ],
        "rekomendasi": [
            *region.advice,
            *(t for d in weak for t in DIM_ADVICE[d]),
            f"Mempercepat program pilar {PILLAR_NAMES[low]} yang belum berjalan dengan menetapkan "
            f"OPD penanggung jawab dan jadwal yang jelas.",
        ],
    }
    rows = []
    for kind, pool in pools.items():
        texts = [t.format(region=region.name) for t in pool]
        rng.shuffle(texts)
        counts = [rng.randint(1, 3) for _ in codes]
        while sum(counts) > len(texts):
            counts[max(range(len(codes)), key=lambda j: counts[j])] -= 1
        start = 0
        for code, k in zip(codes, counts, strict=True):
            rows += [{"assessor": code, "kind": kind, "text": t} for t in texts[start : start + k]]
            start += k
    kinds = {"kekuatan": 0, "kelemahan": 1, "rekomendasi": 2}
    rows.sort(key=lambda r: (r["assessor"], kinds[r["kind"]]))
    return pd.DataFrame(rows, columns=["assessor", "kind", "text"])


# --------------------------------------------------------------------------- assessments


def build_assessment(ev: Evaluation) -> Assessment:
    """The complete assessment of one sample workbook."""
    region = REGIONS[ev.region]
    rng = rng_for(ev.region, ev.year, ev.stage)
    methodology = mth.get(ev.year)
    profile = methodology.profile(region.category)
    bank = methodology.question_bank(region.category)
    dims = [d.key for d in methodology.dimensions_for(region.category)]
    panel = build_panel(ev.panel, rng)
    codes = list(panel.index)
    if ev.malang_year is not None:
        totals = malang_totals(ev.malang_year, bank, ev.panel)
    else:
        dim_totals = fit_totals(ev, bank, profile)
        totals = {d: item_totals(bank[bank["dimension"] == d], ev.panel, dim_totals[d], rng) for d in dims}
    scores, moderation = apply_disputes(score_table(bank, dims, totals, codes, rng), ev.disputes)
    dim_scores = {d: Fraction(sum(totals[d]), len(totals[d]) * ev.panel) for d in dims}
    programmes = build_programmes(region, ev, rng)
    action_plan = build_action_plan(region, ev, rng)
    findings = build_findings(region, codes, dim_scores, programmes, action_plan, rng)
    return Assessment(
        profile=Profile(region.name, region.code, region.province, region.category, region.cohort, ev.year, ev.stage),
        assessors=panel,
        scores=scores,
        programmes=programmes,
        action_plan=action_plan,
        findings=findings,
        moderation=moderation,
    )


def apply_disputes(scores: pd.DataFrame, disputes: Sequence[Dispute]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scores with each disputed item's scores set, and the Moderasi sheet of the disputes; fails when a dispute
    would change an item's value (see :class:`Dispute`)."""
    rows = {}
    for d in disputes:
        value = Fraction(int(scores.loc[d.item].sum()), len(scores.columns))
        after = Fraction(sum(d.scores), len(d.scores)) if d.agreed is None else Fraction(d.agreed)
        if after != value or len(d.scores) != len(scores.columns):
            raise ValueError(f"the dispute of {d.item} changes its value {value}")
        scores.loc[d.item] = list(d.scores)
        rows[d.item] = (pd.NA if d.agreed is None else d.agreed, d.reason)
    if not rows:
        return scores, empty_moderation()
    moderation = pd.DataFrame.from_dict(rows, orient="index", columns=["agreed", "reason"])
    moderation.index.name = "item_id"
    return scores, moderation.astype({"agreed": "Int64", "reason": str})


def workbook_path(out: Path, ev: Evaluation) -> Path:
    return out / str(ev.year) / f"tahap-{ev.stage}" / f"{ev.region}.xlsx"


def assessor_paths(out: Path, ev: Evaluation, codes: Iterable[str]) -> list[Path]:
    """Where each assessor's own workbook of ``ev`` goes: outside the workbooks' place, so a batch never loads it."""
    folder = out / "assessors" / str(ev.year) / f"tahap-{ev.stage}" / ev.region
    return [folder / f"{code}.xlsx" for code in codes]


def write_assessor_workbooks(out: Path, ev: Evaluation, assessment: Assessment, check: bool) -> list[Path]:
    """Each assessor's own workbook; with ``check``, fail unless merging them gives the panel's scores."""
    paths = assessor_paths(out, ev, assessment.assessors.index)
    for code, path in zip(assessment.assessors.index, paths, strict=True):
        write_assessment(assessment, path, timestamp=ev.date, assessor=code)
    if check and not merge(paths).scores.equals(assessment.scores):
        raise AssertionError(f"{ev.region} {ev.year}: the assessors' workbooks do not merge into the panel's scores")
    return paths


# --------------------------------------------------------------------------- published tables


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def write_published_2023(target: Path, source: Path) -> None:
    """The whole published 2023 table, then the extract's rows it does not hold (Kota Pekalongan, which did not
    take part): the 2023 table of the letter as the sample knows it."""
    rows = _rows(REFERENCE / "national_2023_full.csv")
    known = {slugify(r["kab_kota"]) for r in rows}
    rows += [r for r in _rows(source) if slugify(r["kab_kota"]) not in known]
    with (target / "national-2023-tahap-2.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, PUBLISHED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_published(out: Path) -> dict[str, Decimal]:
    """Write the 2023 national table and derive the 2022 finals of the extract's regions; returns 2022 finals by
    region slug."""
    target = out / "published"
    target.mkdir(parents=True, exist_ok=True)
    source = REFERENCE / "national_2023_sample.csv"
    write_published_2023(target, source)
    malang = yaml.safe_load((REFERENCE / "malang_items.yaml").read_text(encoding="utf-8"))
    malang_2022 = malang["evaluations"][2022]["published"]
    rows = []
    with source.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            final, imp = row["nilai_final"].strip(), row["improvement"].strip()
            record = dict.fromkeys(PUBLISHED_COLUMNS, "")
            record.update(kab_kota=row["kab_kota"], ket=row["ket"])
            if slugify(row["kab_kota"]) == slugify(malang["region"]):
                for col, key in CSV_DIMENSIONS.items():
                    if key in malang_2022:
                        record[col] = f"{Decimal(str(malang_2022[key])):.2f}"
                record["nilai_final"] = f"{Decimal(str(malang_2022['nilai_final'])):.2f}"
            elif imp in ("", "-") or not final or Decimal(final) == 0:
                continue  # no previous value or did not take part: 2022 unknown
            else:
                record["nilai_final"] = f"{Decimal(final) - Decimal(imp):.2f}"
            rows.append(record)
    with (target / "national-2022-tahap-2.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, PUBLISHED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {slugify(r["kab_kota"]): Decimal(r["nilai_final"]) for r in rows}


# --------------------------------------------------------------------------- checks


def check_published(ev: Evaluation, card: ScoreCard) -> None:
    """Fail loudly when a workbook does not reproduce its published numbers."""
    region = REGIONS[ev.region]
    expected: dict[str, str] = dict(ev.published)
    if ev.malang_year is not None:
        # the formula's Nilai Final: 2.50 in 2022 (published 2.51, see malang_items.yaml), 2.94 in 2023
        data = yaml.safe_load((REFERENCE / "malang_items.yaml").read_text(encoding="utf-8"))
        evaluation = data["evaluations"][ev.malang_year]
        expected = {k: f"{Decimal(str(v)):.2f}" for k, v in evaluation["published"].items()}
        expected["nilai_final"] = str(round_half_up(Decimal(str(evaluation["formula_nilai_final_unrounded"]))))
    got: dict[str, Decimal | None] = dict(card.dimensions_rounded())
    got.update(nilai_final=card.nilai_final_rounded, improvement=card.improvement_rounded)
    for key, value in expected.items():
        if got[key] != Decimal(value):
            raise AssertionError(f"{region.name} {ev.year}: {key} is {got[key]}, published {value}")
    tables = {
        "programmes": card.programmes.at["overall", "percent"],
        "action_plan": card.action_plan.at["overall", "percent"],
    }
    for key, value in ev.realisation.items():
        actual = tables.get(key, card.action_plan.at[key, "percent"] if key in card.action_plan.index else None)
        if actual != Decimal(value):
            raise AssertionError(f"{region.name} {ev.year}: realisation {key} is {actual}, published {value}")
    if ev.running is not None and int(card.programmes.at["overall", "done"]) != ev.running:
        raise AssertionError(f"{region.name} {ev.year}: {card.programmes.at['overall', 'done']} programmes run")


def generate(out: Path, quiet: bool = False, check: bool = True) -> list[Path]:
    """Write every sample file under ``out``; unless ``check`` is off, validate and score each workbook and
    fail when a published number is not reproduced. Returns the workbook paths."""
    finals_2022 = write_published(out)
    finals: dict[tuple[str, int, int], Fraction] = {}
    paths = []
    for ev in EVALUATIONS:
        path = workbook_path(out, ev)
        assessment = build_assessment(ev)
        write_assessment(assessment, path, timestamp=ev.date)
        paths.append(path)
        if ev.assessor_workbooks:
            write_assessor_workbooks(out, ev, assessment, check)
        if not check:
            continue
        result = validate(path)
        if result.errors or result.assessment is None:
            raise AssertionError(f"{path}:\n{result.summary('en')}")
        previous = finals.get((ev.region, ev.year - 1, 2))
        if previous is None and ev.year == 2023:
            previous = finals_2022.get(ev.region)
        card = rules.score(result.assessment, previous)
        check_published(ev, card)
        finals[(ev.region, ev.year, ev.stage)] = card.nilai_final
        if not quiet:
            dims = " ".join(f"{v}" for v in card.dimensions_rounded().values())
            prog, ap = card.programmes.loc["overall"], card.action_plan.loc["overall"]
            imp = "-" if card.improvement_rounded is None else f"{card.improvement_rounded + 0:+}"
            print(
                f"{path.relative_to(out)}: {dims} -> {card.nilai_final_rounded} ({imp}); "
                f"programmes {prog.done}/{prog.planned} = {prog.percent}%; "
                f"action plan {ap.done}/{ap.planned} = {ap.percent}%"
            )
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/sample)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.add_argument(
        "--no-check",
        dest="check",
        action="store_false",
        help="skip validating and scoring the written workbooks (faster)",
    )
    args = parser.parse_args(argv)
    generate(args.out, args.quiet or not args.check, args.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
