#!/usr/bin/env bash
# Stop the local Kafka broker (if running) and wipe all its state: $KAFKA_HOME_DIR (default
# <repo>/.kafka: data, logs, generated configs). The fetched jars in scripts/kafka/lib/ are kept.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
HOME_DIR="${KAFKA_HOME_DIR:-.kafka}"
case "$HOME_DIR" in /*) ;; *) HOME_DIR="$REPO_ROOT/$HOME_DIR" ;; esac

bash "$SCRIPT_DIR/stop.sh"

if [ ! -d "$HOME_DIR" ]; then
  echo "[kafka] nothing to wipe ($HOME_DIR does not exist)" >&2
  exit 0
fi
HOME_DIR="$(cd "$HOME_DIR" && pwd -P)"
case "$HOME_DIR" in
  / | "$(cd "$REPO_ROOT" && pwd -P)" | "$(cd ~ && pwd -P)" | "")
    echo "[kafka] ERROR: refusing to wipe '$HOME_DIR'" >&2; exit 1 ;;
esac
rm -rf "$HOME_DIR"
echo "[kafka] wiped $HOME_DIR" >&2
