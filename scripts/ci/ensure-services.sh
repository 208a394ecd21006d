#!/usr/bin/env bash
# Makes sure Redis, RabbitMQ and PostgreSQL answer on their local ports, starting any that
# stopped with the same commands the machine uses at boot. Kafka is started separately.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

wait_port() {
  local name=$1 port=$2 deadline=$((SECONDS + ${3:-60}))
  until port_open "$port"; do
    if ((SECONDS > deadline)); then echo "ensure-services: $name did not open port $port" >&2; return 1; fi
    sleep 1
  done
  echo "ensure-services: $name is up on 127.0.0.1:$port"
}

if ! port_open 6379; then
  echo "ensure-services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_port Redis 6379 30

if ! port_open 5672; then
  echo "ensure-services: starting RabbitMQ"
  rabbitmq-server -detached
fi
wait_port RabbitMQ 5672 120

if ! port_open 5432; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
wait_port PostgreSQL 5432 60
