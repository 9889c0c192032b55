#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL.
# Each run builds a fresh schema from the migrations. Fails when a test fails or none ran.
# PostgreSQL is required under CI (CI=true) and whenever TEST_DATABASE_URL names it: an
# unreachable server then fails the run. Otherwise (a developer's machine with no server) the
# PostgreSQL run is skipped, saying so.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
status=0

pg_required=""
case "${CI:-}" in
  true|TRUE|True|1) pg_required="CI=${CI}" ;;
esac
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pg_required="${pg_required:+$pg_required and }TEST_DATABASE_URL is set"
  case "$PG_URL" in
    postgres://*|postgresql://*|postgresql+psycopg://*) ;;
    *) echo "TEST_DATABASE_URL must name the PostgreSQL database of the second run (the SQLite run needs no setting); got '$PG_URL'." >&2
       exit 2 ;;
  esac
fi

echo "== Test suite on SQLite"
TEST_DATABASE_URL="sqlite" $BIN/python -m pytest "$@" || status=$?
[ $status -eq 5 ] && echo "No test ran." >&2

if $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgresql+psycopg", "postgresql"), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {error}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== Test suite on PostgreSQL ($PG_URL)"
  pg_status=0
  TEST_DATABASE_URL="$PG_URL" $BIN/python -m pytest "$@" || pg_status=$?
  [ $pg_status -eq 5 ] && echo "No test ran on PostgreSQL." >&2
  [ $pg_status -ne 0 ] && status=$pg_status
elif [ -n "$pg_required" ]; then
  echo "FAILED: PostgreSQL is required ($pg_required) but no server answered at $PG_URL; the row-lock race tests did not run." >&2
  [ $status -eq 0 ] && status=1
else
  echo "Skipping the PostgreSQL run: no server answered (set TEST_DATABASE_URL or CI=true to make that an error)."
fi
exit $status
