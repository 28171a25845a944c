#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ answer on 127.0.0.1, starting any that stopped.
# Production mode and the tests that exercise it talk to these for real.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # name port seconds
  for _ in $(seq "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "error: $1 did not start listening on 127.0.0.1:$2" >&2
  return 1
}

ensure() {  # name port seconds start-command...
  local name=$1 port=$2 seconds=$3
  shift 3
  if port_open "$port"; then echo "    $name is running (:$port)"; return 0; fi
  echo "    starting $name"
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "error: $name is not running and '$1' is not installed" >&2
    return 1
  fi
  "$@" >/dev/null 2>&1 || true
  wait_for "$name" "$port" "$seconds"
}

status=0
ensure PostgreSQL 5432 30 pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql 2>/dev/null | tail -1)" main start || status=1
ensure Redis 6379 15 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log || status=1
ensure RabbitMQ 5672 90 rabbitmq-server -detached || status=1
exit $status
