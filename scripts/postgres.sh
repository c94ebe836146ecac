#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests, on loopback.
#
#   scripts/postgres.sh start   install PostgreSQL from Debian's packages if missing, create the cluster if
#                               missing, start it if stopped, create database bottega_test, and print
#                               BOTTEGA_TEST_POSTGRES_URL=jdbc:postgresql://127.0.0.1:PORT/bottega_test?user=postgres
#   scripts/postgres.sh stop    stop it (the cluster's files stay; start again reuses them)
#   scripts/postgres.sh url     print the URL line
#
# Use:  export "$(scripts/postgres.sh start)"   then run the tests.
#
# BOTTEGA_PG_DIR  where the cluster lives (default /tmp/bottega-pg): data/, the server's log and its socket;
#                 run as root, the postgres user must be able to reach it (not under /root)
# BOTTEGA_PG_PORT its port on 127.0.0.1 (default 55432)
#
# Only the URL line goes to stdout; progress and errors go to stderr. Every command is idempotent. Works as
# root (initdb then runs as the postgres user, since PostgreSQL refuses to run as root) or as another user.
set -euo pipefail

PG_DIR="$(realpath -m "${BOTTEGA_PG_DIR:-/tmp/bottega-pg}")"
PG_PORT="${BOTTEGA_PG_PORT:-55432}"
PG_DB=bottega_test
PG_USER=postgres
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"

say() { echo "postgres.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

url() { echo "BOTTEGA_TEST_POSTGRES_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB?user=$PG_USER"; }

# The newest Debian PostgreSQL bin directory, or nothing.
find_bin() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/pg_ctl" && -x "$d/initdb" && -x "$d/postgres" ]] || continue
    if [[ -z "$best" ]] || [[ "$(basename "$(dirname "$d")")" -gt "$(basename "$(dirname "$best")")" ]] 2>/dev/null; then
      best="$d"
    fi
  done
  echo "$best"
}

install_postgres() {
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and we are not root: apt-get install postgresql"
  say "installing PostgreSQL from Debian's packages"
  # No default cluster on port 5432: the tests use their own.
  if [[ ! -e /etc/postgresql-common/createcluster.d/bottega.conf ]]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/bottega.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends postgresql)
  if ! "${apt[@]}" >"$PG_DIR/apt.log" 2>&1; then
    say "install failed, updating the package lists and trying again"
    apt-get update -q >>"$PG_DIR/apt.log" 2>&1 || { tail -20 "$PG_DIR/apt.log" >&2; die "apt-get update failed"; }
    "${apt[@]}" >>"$PG_DIR/apt.log" 2>&1 || { tail -20 "$PG_DIR/apt.log" >&2; die "apt-get install postgresql failed"; }
  fi
}

# Runs a command as the cluster's owner (from /, which that owner can always enter).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && "$(command -v runuser || echo /usr/sbin/runuser)" -u postgres -- "$@")
  else
    "$@"
  fi
}

running() { [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  mkdir -p "$PG_DIR"
  BIN="$(find_bin)"
  if [[ -z "$BIN" ]]; then
    install_postgres
    BIN="$(find_bin)"
    [[ -n "$BIN" ]] || die "PostgreSQL installed, but no /usr/lib/postgresql/*/bin/pg_ctl found"
  fi
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || "$(command -v useradd || echo /usr/sbin/useradd)" --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$PG_DIR"
    # the owner must be able to reach PG_DIR through its parents
    chmod 0755 "$PG_DIR"
  fi

  if running; then
    say "already running in $DATA on port $(port_of_running)"
  else
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
      say "creating a cluster in $DATA"
      rm -rf "$DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U "$PG_USER" -A trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
      {
        echo "# bottega test cluster"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$PG_DIR'"
        echo "max_connections = 200"
      } | as_owner tee -a "$DATA/postgresql.conf" >/dev/null
    fi
    say "starting on 127.0.0.1:$PG_PORT (log: $LOG)"
    as_owner touch "$LOG"
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $PG_PORT" -w -t 60 start >/dev/null; then
      tail -20 "$LOG" >&2 || true
      die "the server did not start (is port $PG_PORT taken? set BOTTEGA_PG_PORT)"
    fi
  fi

  local port
  port="$(port_of_running)"
  [[ "$port" == "$PG_PORT" ]] || die "the cluster in $DATA runs on port $port, not $PG_PORT: stop it first"
  local i
  for i in $(seq 1 60); do
    as_owner "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    [[ $i -lt 60 ]] || die "the server on 127.0.0.1:$PG_PORT is not ready after 60 s"
    sleep 1
  done
  if [[ -z "$(as_owner "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]]; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
    say "created database $PG_DB"
  fi
  url
}

# The port the running cluster was started with (first line of postmaster.pid holds the pid, the fourth the port).
port_of_running() { sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true; }

stop() {
  BIN="$(find_bin)"
  if [[ -n "$BIN" ]] && running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    say "stopped"
  else
    say "not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
