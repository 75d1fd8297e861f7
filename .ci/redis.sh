#!/usr/bin/env bash
# Starts the redis-server that the Redis and Upstash storage tests use, on 127.0.0.1:${REDIS_PORT:-6390}
# (daemonized, nothing saved to disk), installing it with apt-get when missing. Safe to run twice.
# The tests connect through REDIS_URL, default redis://127.0.0.1:6390.
set -euo pipefail
port="${REDIS_PORT:-6390}"

if ! command -v redis-server >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi

if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  echo "redis-server already answers on 127.0.0.1:$port"
  exit 0
fi

redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save "" --appendonly no \
  --dir "${TMPDIR:-/tmp}" --pidfile "${TMPDIR:-/tmp}/redis-$port.pid" --logfile "${TMPDIR:-/tmp}/redis-$port.log"

for _ in $(seq 1 50); do
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "redis-server $(redis-server --version | sed -E 's/.* v=([^ ]+).*/\1/') listening on 127.0.0.1:$port"
    exit 0
  fi
  sleep 0.1
done
echo "redis-server did not start on 127.0.0.1:$port: see ${TMPDIR:-/tmp}/redis-$port.log" >&2
exit 1
