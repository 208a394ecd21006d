#!/usr/bin/env bash
# Stop the Kafka broker started by scripts/kafka/start.sh (data is kept). Idempotent: exits 0 when
# it is not running. SIGTERM (controlled shutdown), up to 60 s, then SIGKILL with a warning.
# Env: KAFKA_HOME_DIR (default <repo>/.kafka; relative values are relative to the repo root),
#      KAFKA_STOP_TIMEOUT (seconds, default 60).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
HOME_DIR="${KAFKA_HOME_DIR:-.kafka}"
case "$HOME_DIR" in /*) ;; *) HOME_DIR="$REPO_ROOT/$HOME_DIR" ;; esac
PID_FILE="$HOME_DIR/kafka.pid"
PROPS="$HOME_DIR/server.properties"
TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"

log() { echo "[kafka] $*" >&2; }

if [ ! -f "$PID_FILE" ]; then
  log "not running (no $PID_FILE)"
  exit 0
fi
PID="$(tr -dc '0-9' <"$PID_FILE" || true)"

if [ -z "$PID" ] || ! kill -0 "$PID" 2>/dev/null; then
  log "not running (stale pid ${PID:-?}); removing pid file"
  rm -f "$PID_FILE"
  exit 0
fi
CMD="$(ps -p "$PID" -o command= 2>/dev/null || true)"
if [[ "$CMD" != *kafka.Kafka* || "$CMD" != *"$PROPS"* ]]; then
  log "pid $PID is not our Kafka broker (pid reused?); not signalling it, removing pid file"
  rm -f "$PID_FILE"
  exit 0
fi

log "stopping Kafka broker (pid $PID) ..."
kill -TERM "$PID" 2>/dev/null || true
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
  sleep 0.5
done
if kill -0 "$PID" 2>/dev/null; then
  log "WARNING: broker (pid $PID) still alive after ${TIMEOUT}s; sending SIGKILL"
  kill -KILL "$PID" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
fi
rm -f "$PID_FILE"
log "stopped"
