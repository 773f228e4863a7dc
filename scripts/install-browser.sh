#!/usr/bin/env bash
# Install a headless Chromium for PDF report printing (idempotent, always exits 0).
#
#   As root:     Debian's chromium + fonts via apt-get (if chromium is not on PATH yet).
#   Otherwise:   "$PYTHON" -m playwright install chromium  (PYTHON defaults to .venv/bin/python).
#
# If no browser can be installed, HTML reports are still produced; only PDFs are skipped.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$here/.venv/bin/python}"

have_system_chromium() {
    command -v chromium >/dev/null 2>&1 \
        || command -v chromium-browser >/dev/null 2>&1 \
        || command -v google-chrome >/dev/null 2>&1
}

note() { printf 'install-browser: %s\n' "$*"; }

if [ -n "${SMARTCITY_EVAL_CHROMIUM:-}" ] && [ -x "${SMARTCITY_EVAL_CHROMIUM}" ]; then
    note "using SMARTCITY_EVAL_CHROMIUM=${SMARTCITY_EVAL_CHROMIUM}; nothing to do."
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    note "installing Debian chromium and fonts with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -q \
        && apt-get install -y -q --no-install-recommends \
            chromium fonts-dejavu-core fonts-liberation fontconfig ca-certificates; then
        note "chromium installed: $(command -v chromium)"
    else
        note "apt-get install chromium failed."
    fi
fi

if have_system_chromium; then
    note "system browser found: $(command -v chromium || command -v chromium-browser || command -v google-chrome)"
    exit 0
fi

if [ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1; then
    note "no system chromium; trying '$PYTHON -m playwright install chromium' ..."
    if "$PYTHON" -m playwright install chromium; then
        note "Playwright's chromium installed."
        exit 0
    fi
    note "playwright install chromium failed."
else
    note "python interpreter '$PYTHON' not found; cannot run playwright install."
fi

note "WARNING: no Chromium available. HTML reports will still be produced, but PDF printing is disabled."
note "To enable PDFs: 'apt-get install chromium' as root, or '$PYTHON -m playwright install chromium',"
note "or point SMARTCITY_EVAL_CHROMIUM at a Chromium/Chrome executable."
exit 0
