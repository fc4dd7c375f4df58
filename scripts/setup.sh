#!/usr/bin/env bash
# Install kofu into .venv (Debian/Ubuntu, Python 3.11+). Pass "dev" to add the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Debian パッケージを導入します: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt_install python3-venv
fi
# libzbar0: the pyzbar QR decoder, selectable by the qr_decoder setting.
apt_install libzbar0
# pyscard (the card reader) is built from source and talks to the card through pcscd.
apt_install libpcsclite-dev swig gcc python3-dev pcscd
if [ "${1:-}" = "dev" ]; then
  apt_install chromium poppler-utils wrk haproxy vsmartcard-vpcd
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
if [ "${1:-}" = "dev" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
fi
