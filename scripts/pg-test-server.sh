#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL server on loopback for the test suite.
#   scripts/pg-test-server.sh start [DBNAME]  -> prints the database URL on stdout (default cpcprep_test)
#   scripts/pg-test-server.sh drop DBNAME
#   scripts/pg-test-server.sh stop
set -euo pipefail
PGPORT=${PGPORT:-54329}
PGROOT=${PGROOT:-/tmp/cpcprep-pg-$PGPORT}
BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DBNAME=${2:-cpcprep_test}

case "${1:-start}" in
  start)
    if [ ! -s "$PGROOT/data/PG_VERSION" ]; then
      rm -rf "$PGROOT"; mkdir -p "$PGROOT"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGROOT"
      as_pg "$BINDIR/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
    fi
    if ! as_pg "$BINDIR/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1; then
      as_pg "$BINDIR/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
    fi
    as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" | grep -q 1 || \
      as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$DBNAME"
    echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/$DBNAME"
    ;;
  drop)
    as_pg "$BINDIR/dropdb" -h 127.0.0.1 -p "$PGPORT" -U postgres --if-exists --force "$DBNAME" >/dev/null 2>&1 || true
    ;;
  stop)
    as_pg "$BINDIR/pg_ctl" -D "$PGROOT/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start [DBNAME] | drop DBNAME | stop" >&2; exit 2 ;;
esac
