#!/usr/bin/env bash
# Starts a throwaway Azurite blob server on loopback for the azurerm backend
# tests (installing Node.js from Debian and Azurite from npm if missing) and
# prints the environment the tests read.
# Usage: eval "$(scripts/azurite.sh start)"; ...; scripts/azurite.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/target/azurite"
PORT="${DRINFRA_TEST_AZURITE_PORT:-10010}"
case "${1:-start}" in
  start)
    if ! command -v npm >/dev/null; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >&2
    fi
    if [ ! -x "$DIR/node_modules/.bin/azurite-blob" ]; then
      mkdir -p "$DIR"
      (cd "$DIR" && npm install --silent --no-audit --no-fund --prefix "$DIR" azurite@3.35.0) >&2
    fi
    if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then :; else
      mkdir -p "$DIR/data"
      nohup "$DIR/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$PORT" \
        --location "$DIR/data" --silent --skipApiVersionCheck --disableTelemetry >"$DIR/log" 2>&1 &
      echo $! >"$DIR/pid"
      for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
        sleep 0.1
      done
    fi
    # Azurite's documented development account and key.
    echo "export AZURITE_BLOB_ENDPOINT='http://127.0.0.1:$PORT/devstoreaccount1'"
    echo "export AZURITE_ACCOUNT='devstoreaccount1'"
    echo "export AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='"
    ;;
  stop)
    if [ -f "$DIR/pid" ]; then kill "$(cat "$DIR/pid")" 2>/dev/null || true; rm -f "$DIR/pid"; fi
    ;;
esac
