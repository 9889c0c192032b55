#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL when one is reachable.
# Each run builds a fresh schema from the migrations. Fails when a test fails or none ran.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
status=0

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
else
  echo "Skipping the PostgreSQL run: no server answered."
fi
exit $status
