#!/usr/bin/env bash
# Start a real, single-node Apache Kafka broker (KRaft, no ZooKeeper, no Docker) on 127.0.0.1:9092.
#
#   bash scripts/kafka/start.sh      # start (or confirm it is running) and wait until it serves requests
#   bash scripts/kafka/stop.sh       # stop it (data kept)
#   bash scripts/kafka/clean.sh      # stop it and wipe all data
#
# The broker jars come from Maven Central (scripts/kafka/pom.xml) into scripts/kafka/lib/ (git-ignored),
# fetched only when missing or when the pom changed. Needs java (17+) and, for the first run, mvn.
#
# State lives in $KAFKA_HOME_DIR (default: <repo>/.kafka, git-ignored; a relative value is taken
# relative to the repo root):
#   data/               the KRaft log dir (formatted once, with a fixed cluster id, only when empty)
#   logs/server.log     broker log (log4j); logs/stdout.log: the JVM's stdout/stderr
#   server.properties   log4j.properties, tools-log4j.properties: regenerated on every start
#   kafka.pid           pid of the broker started by this script
#
# Exit 0 means: a broker started by this script is up and answers Kafka requests on 127.0.0.1:9092.
# Other env: KAFKA_START_TIMEOUT (seconds to wait for readiness, default 90), JAVA_HOME.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

HOME_DIR="${KAFKA_HOME_DIR:-.kafka}"
case "$HOME_DIR" in /*) ;; *) HOME_DIR="$REPO_ROOT/$HOME_DIR" ;; esac
DATA_DIR="$HOME_DIR/data"
LOG_DIR="$HOME_DIR/logs"
PROPS="$HOME_DIR/server.properties"
LOG4J="$HOME_DIR/log4j.properties"
TOOLS_LOG4J="$HOME_DIR/tools-log4j.properties"
PID_FILE="$HOME_DIR/kafka.pid"

LIB_DIR="$SCRIPT_DIR/lib"
POM="$SCRIPT_DIR/pom.xml"
STAMP="$LIB_DIR/.pom.sha256"

HOST=127.0.0.1
PORT=9092
CONTROLLER_PORT=9093
# Fixed cluster id: base64url of the 16 bytes "nestjs-evsrc-kfk" (22 chars, no padding).
CLUSTER_ID="bmVzdGpzLWV2c3JjLWtmaw"
TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

log() { echo "[kafka] $*" >&2; }
die() { echo "[kafka] ERROR: $*" >&2; exit 1; }

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="java"; fi
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (install a JDK 17+ or set JAVA_HOME)"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | awk '{print $1}'
  else shasum -a 256 "$1" | awk '{print $1}'; fi
}

# True when something accepts TCP connections on $HOST:$1.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") >/dev/null 2>&1; }

# True when $1 is a live process that is a Kafka broker running on our server.properties.
is_our_broker() {
  local pid="$1" cmd
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(ps -p "$pid" -o command= 2>/dev/null || true)"
  [[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$PROPS"* ]]
}

read_pid() { [ -f "$PID_FILE" ] && tr -dc '0-9' <"$PID_FILE" || true; }

print_log_tail() {
  local f
  for f in "$LOG_DIR/server.log" "$LOG_DIR/stdout.log"; do
    if [ -s "$f" ]; then
      echo "----- last 60 lines of $f -----" >&2
      tail -n 60 "$f" >&2
    fi
  done
}

mkdir -p "$HOME_DIR" "$DATA_DIR" "$LOG_DIR"

# Serialise concurrent start.sh runs (the second one then sees the broker running).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$HOME_DIR/.start.lock"
  flock -w 300 9 || die "another start.sh holds $HOME_DIR/.start.lock"
fi

# ---------------------------------------------------------------- jars (Maven Central)
fetch_jars() {
  local want have=""
  want="$(sha256 "$POM")"
  [ -f "$STAMP" ] && have="$(cat "$STAMP")"
  if [ "$want" = "$have" ] && ls "$LIB_DIR"/kafka_2.13-*.jar >/dev/null 2>&1; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "Kafka jars missing in $LIB_DIR and mvn is not installed (needed once to fetch them from Maven Central)"
  log "fetching Kafka jars from Maven Central into $LIB_DIR ..."
  rm -rf "$LIB_DIR"
  mkdir -p "$LIB_DIR"
  # (the sed strips the stray colour codes some Maven builds print even with -q -B)
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$LIB_DIR" -DincludeScope=runtime 2>&1 \
      | sed -e "s/$(printf '\033')\[[0-9;]*m//g" -e '/^[[:space:]]*$/d' >&2; then
    rm -rf "$LIB_DIR"
    die "mvn dependency:copy-dependencies failed"
  fi
  ls "$LIB_DIR"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar after mvn run"
  echo "$want" >"$STAMP" # written last: an interrupted fetch is retried next time
}

kafka_version() {
  local jar
  jar="$(ls "$LIB_DIR"/kafka_2.13-*.jar 2>/dev/null | head -n 1)"
  jar="${jar##*/kafka_2.13-}"
  echo "${jar%.jar}"
}

TIMEOUT_CMD=""
command -v timeout >/dev/null 2>&1 && TIMEOUT_CMD="timeout 30"

# A short-lived JVM for the Kafka command-line tools (quiet logging, small heap, fast start-up).
run_tool() {
  "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$LIB_DIR/*" "$@"
}

# Succeeds once the broker answers an ApiVersions request through the metadata it advertises
# (i.e. it is registered, unfenced and processing requests — not merely listening).
broker_answers() {
  local out
  out="$($TIMEOUT_CMD "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$LIB_DIR/*" \
    kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$HOST:$PORT" 2>&1)" || return 1
  [[ "$out" == *"$HOST:$PORT (id: 1"* ]]
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker process $pid exited during start-up"
      print_log_tail
      rm -f "$PID_FILE"
      exit 1
    fi
    if port_open "$PORT" && broker_answers; then
      return 0
    fi
    sleep 1
  done
  print_log_tail
  log "broker (pid $pid) not ready after ${TIMEOUT}s; left running for inspection (re-run start.sh to keep waiting, stop.sh to stop it)"
  exit 1
}

write_configs() {
  cat >"$PROPS" <<EOF
# Generated by scripts/kafka/start.sh on every start -- edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR

num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true

num.network.threads=3
num.io.threads=4
log.retention.hours=168
log.retention.check.interval.ms=300000
EOF

  cat >"$LOG4J" <<EOF
# Generated by scripts/kafka/start.sh -- broker logging.
log4j.rootLogger=INFO, server
log4j.appender.server=org.apache.log4j.RollingFileAppender
log4j.appender.server.File=$LOG_DIR/server.log
log4j.appender.server.MaxFileSize=50MB
log4j.appender.server.MaxBackupIndex=3
log4j.appender.server.layout=org.apache.log4j.PatternLayout
log4j.appender.server.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.kafka.log.LogCleaner=INFO
log4j.logger.state.change.logger=INFO
log4j.logger.kafka.authorizer.logger=WARN
EOF

  cat >"$TOOLS_LOG4J" <<'EOF'
# Generated by scripts/kafka/start.sh -- logging for the command-line tools (warnings to stderr).
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# ---------------------------------------------------------------- main
fetch_jars
VERSION="$(kafka_version)"
write_configs

PID="$(read_pid)"
if is_our_broker "$PID"; then
  log "Kafka broker already running (pid $PID); nothing to start"
  wait_ready "$PID"
  echo "Kafka $VERSION ready on $HOST:$PORT (pid $PID)"
  exit 0
fi
[ -f "$PID_FILE" ] && { log "removing stale pid file (pid ${PID:-?} is not running)"; rm -f "$PID_FILE"; }

for p in "$PORT" "$CONTROLLER_PORT"; do
  if port_open "$p"; then
    owner=""
    command -v ss >/dev/null 2>&1 && owner="$(ss -Hltnp "sport = :$p" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n 1)"
    die "port $HOST:$p is already in use by another process${owner:+ ($owner)}, not by a broker started by this script. Stop it (docker compose down?) and retry."
  fi
done

if [ -z "$(ls -A "$DATA_DIR")" ]; then
  log "formatting empty data dir $DATA_DIR (cluster id $CLUSTER_ID)"
  run_tool kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$PROPS" >"$LOG_DIR/format.log" 2>&1 \
    || { cat "$LOG_DIR/format.log" >&2; die "kafka-storage format failed"; }
fi

log "starting Kafka $VERSION (logs: $LOG_DIR/server.log)"
# The subshell execs setsid, which execs java, so $! is the broker's own pid; setsid (Linux; skipped
# where absent) detaches it from the caller's session/process group so it outlives the calling shell.
SETSID=""
command -v setsid >/dev/null 2>&1 && SETSID="setsid"
(
  cd "$HOME_DIR"
  exec 9>&- # do not let the broker inherit (and hold) the start lock
  exec $SETSID "$JAVA" -Xms256m -Xmx512m \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIB_DIR/*" kafka.Kafka "$PROPS"
) </dev/null >>"$LOG_DIR/stdout.log" 2>&1 &
PID=$!
echo "$PID" >"$PID_FILE"

wait_ready "$PID"
echo "Kafka $VERSION ready on $HOST:$PORT (pid $PID)"
