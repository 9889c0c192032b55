#!/usr/bin/env bash
# The whole suite on SQLite and again on PostgreSQL (side by side, one run per core).
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

# The two runs go side by side (one per core) unless TEST_SERIAL=1; each has its own Redis
# database, so their queues, caches and throttles never meet. Lines are prefixed by the run.
SQLITE_REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/13}"
PG_REDIS="${TEST_PG_REDIS_URL:-redis://127.0.0.1:6379/12}"

mkdir -p tests/artifacts
rm -f tests/artifacts/sqlite.log tests/artifacts/postgres.log

run_sqlite() {
  TEST_DATABASE_URL="sqlite" TEST_REDIS_URL="$SQLITE_REDIS" $BIN/python -m pytest -p no:cacheprovider "$@"
}

run_postgres() {
  TEST_DATABASE_URL="$PG_URL" TEST_REDIS_URL="$PG_REDIS" $BIN/python -m pytest -p no:cacheprovider "$@"
}

pg_reachable() {
  $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgresql+psycopg", "postgresql"), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {error}", file=sys.stderr)
    sys.exit(1)
PY
}

report() {  # $1: name, $2: exit status
  [ "$2" -eq 5 ] && echo "No test ran on $1." >&2
  [ "$2" -eq 0 ] && echo "== $1: passed" || echo "== $1: FAILED (exit $2)"
}

pg_status=0
pg_ran=""
if pg_reachable; then
  pg_ran=1
elif [ -n "$pg_required" ]; then
  echo "FAILED: PostgreSQL is required ($pg_required) but no server answered at $PG_URL; the row-lock race tests did not run." >&2
  pg_status=1
else
  echo "Skipping the PostgreSQL run: no server answered (set TEST_DATABASE_URL or CI=true to make that an error)."
fi

if [ -n "$pg_ran" ] && [ "${TEST_SERIAL:-0}" != "1" ]; then
  echo "== Test suite on SQLite and on PostgreSQL ($PG_URL), side by side"
  ( run_sqlite "$@" 2>&1 | tee tests/artifacts/sqlite.log | sed -u 's/^/[sqlite] /'; exit "${PIPESTATUS[0]}" ) &
  sqlite_pid=$!
  ( run_postgres "$@" 2>&1 | tee tests/artifacts/postgres.log | sed -u 's/^/[postgres] /'; exit "${PIPESTATUS[0]}" ) &
  postgres_pid=$!
  wait $sqlite_pid || status=$?
  wait $postgres_pid || pg_status=$?
else
  echo "== Test suite on SQLite"
  run_sqlite "$@" 2>&1 | tee tests/artifacts/sqlite.log
  status=${PIPESTATUS[0]}
  if [ -n "$pg_ran" ]; then
    echo "== Test suite on PostgreSQL ($PG_URL)"
    run_postgres "$@" 2>&1 | tee tests/artifacts/postgres.log
    pg_status=${PIPESTATUS[0]}
  fi
fi

# The runs' output is interleaved above: name what failed again at the very end, where a CI
# log's tail shows it (pytest's short summary, -ra, gives one line per failed or erred test).
summary() {  # $1: name, $2: log
  [ -f "$2" ] || return 0
  local lines
  lines=$(grep -E '^(FAILED|ERROR) ' "$2" | cut -c1-400)
  [ -n "$lines" ] && printf '== %s, what failed:\n%s\n' "$1" "$lines"
  return 0
}
summary SQLite tests/artifacts/sqlite.log
[ -n "$pg_ran" ] && summary PostgreSQL tests/artifacts/postgres.log
report SQLite $status
[ -n "$pg_ran" ] && report PostgreSQL $pg_status
[ $pg_status -ne 0 ] && status=$pg_status
exit $status
