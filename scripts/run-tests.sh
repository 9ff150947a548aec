#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on a PostgreSQL server started on loopback.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0

echo "=== Test suite on SQLite ==="
env -u DATABASE_URL -u TEST_DATABASE_URL $BIN/pytest "$@" || status=$?

echo "=== Test suite on PostgreSQL ==="
# A database of this run's own, so two runs on one machine never share tables.
if url=$(bash scripts/pg-test-server.sh start "cpcprep_test_$$"); then
  TEST_DATABASE_URL="$url" $BIN/pytest "$@" || status=$?
  bash scripts/pg-test-server.sh drop "cpcprep_test_$$"
else
  echo "Could not start PostgreSQL for the tests" >&2
  status=1
fi
exit $status
