#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests (installing
# Debian's postgresql if it is missing) and prints the connection string.
# Usage: eval "$(scripts/pg.sh start)"; ...; scripts/pg.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="$PWD/target/pg-test"
PORT="${DRINFRA_TEST_PG_PORT:-55432}"
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
case "${1:-start}" in
  start)
    if [ -z "$(bin_dir)" ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    fi
    BIN="$(bin_dir)"
    RUN_AS=()
    if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      if [ "$(id -u)" = 0 ]; then chown postgres "$DATA"; fi
      "${RUN_AS[@]}" "$BIN/initdb" -D "$DATA" -U drinfra --auth=trust >/dev/null
    fi
    if ! "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k /tmp -c max_connections=200" start >&2
    fi
    # No TLS here: drinfra's pg backend, as Terraform's, asks for it by default.
    echo "export PG_CONN_STR='host=127.0.0.1 port=$PORT user=drinfra dbname=postgres sslmode=disable'"
    ;;
  stop)
    BIN="$(bin_dir)"
    RUN_AS=()
    if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
    ;;
esac
