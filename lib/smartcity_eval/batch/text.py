"""What the batch says to users, in Indonesian and English."""

from __future__ import annotations

from smartcity_eval.batch.records import FAILED, INVALID, OK, SKIPPED

TEXT = {
    "id": {
        "region": "Daerah",
        "status": "Status",
        "seconds": "Detik",
        "note": "Keterangan",
        "done": "selesai",
        "outputs": "Hasil di",
        "no_pdf": "PDF tidak dibuat",
        "no_workbook": "lembar kerja tidak ditemukan",
        "provisional": "SEMENTARA",
        "overview": "Ikhtisar Nasional",
        OK: "berhasil",
        SKIPPED: "dilewati (tidak berubah)",
        INVALID: "tidak valid",
        FAILED: "gagal",
    },
    "en": {
        "region": "Region",
        "status": "Status",
        "seconds": "Seconds",
        "note": "Note",
        "done": "done",
        "outputs": "Outputs in",
        "no_pdf": "PDF not produced",
        "no_workbook": "workbook not found",
        "provisional": "PROVISIONAL",
        "overview": "National overview",
        OK: "ok",
        SKIPPED: "skipped (unchanged)",
        INVALID: "invalid",
        FAILED: "failed",
    },
}
