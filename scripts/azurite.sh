#!/usr/bin/env bash
# Starts throwaway Azurite blob servers on loopback (one plain, one over
# HTTPS with basic OAuth) for the azurerm backend tests, installing Node.js
# from Debian and Azurite from npm if missing, and prints the environment
# the tests read.
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
    # A second instance over HTTPS with basic OAuth, for Entra ID sign-in
    # (Azurite takes bearer tokens only over HTTPS). Its certificate is a
    # leaf signed by a throwaway CA, which the tests trust.
    OAUTH_PORT=$((PORT + 2))
    if ! command -v openssl >/dev/null; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl) >&2
    fi
    if [ ! -f "$DIR/tls/leaf.pem" ]; then
      mkdir -p "$DIR/tls"
      (cd "$DIR/tls" &&
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=drinfra test CA" -keyout ca.key -out ca.pem &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout leaf.key -out leaf.csr &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >leaf.ext &&
        openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem) >/dev/null 2>&1
    fi
    if [ -f "$DIR/pid-oauth" ] && kill -0 "$(cat "$DIR/pid-oauth")" 2>/dev/null; then :; else
      mkdir -p "$DIR/data-oauth"
      nohup "$DIR/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$OAUTH_PORT" \
        --location "$DIR/data-oauth" --silent --skipApiVersionCheck --disableTelemetry \
        --oauth basic --cert "$DIR/tls/leaf.pem" --key "$DIR/tls/leaf.key" >"$DIR/log-oauth" 2>&1 &
      echo $! >"$DIR/pid-oauth"
      for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$OAUTH_PORT") 2>/dev/null; then break; fi
        sleep 0.1
      done
    fi
    echo "export AZURITE_OAUTH_BLOB_ENDPOINT='https://127.0.0.1:$OAUTH_PORT/devstoreaccount1'"
    echo "export AZURITE_OAUTH_CA='$DIR/tls/ca.pem'"
    # Azurite's documented development account and key.
    echo "export AZURITE_BLOB_ENDPOINT='http://127.0.0.1:$PORT/devstoreaccount1'"
    echo "export AZURITE_ACCOUNT='devstoreaccount1'"
    echo "export AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='"
    ;;
  stop)
    for f in pid pid-oauth; do
      if [ -f "$DIR/$f" ]; then kill "$(cat "$DIR/$f")" 2>/dev/null || true; rm -f "$DIR/$f"; fi
    done
    ;;
esac
