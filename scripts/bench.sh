#!/usr/bin/env bash
# `make bench`: the load benchmark (bench/run.py). Needs wrk (WITH_BENCH_DEPS=1 make system-deps
# installs it), PostgreSQL and Redis on loopback. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: run WITH_BENCH_DEPS=1 make system-deps" >&2; exit 1; }
exec .venv/bin/python -m bench.run "$@"
