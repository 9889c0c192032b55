#!/usr/bin/env bash
# Installs the Debian packages the tests need (chromium for the browser tests, poppler-utils to
# render invoice PDFs to PNG and read their text) when this user may use apt-get;
# otherwise says exactly what is missing. Never downloads a browser any other way.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ "${WITH_BENCH_DEPS:-0}" = 1 ] && ! command -v wrk >/dev/null 2>&1 && missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
