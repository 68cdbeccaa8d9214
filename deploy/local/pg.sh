#!/usr/bin/env bash
# Throwaway local PostgreSQL for running and testing Comp without Docker.
# Sourced by deploy/local/run.sh and deploy/local/test.sh; not meant to be run.
#
#   comp_pg_ensure <purpose> <port> [port-env-var]
#       Installs (root only), initialises, starts and waits for a server owned
#       by this checkout and purpose. Exports COMP_PG_CONN (an Npgsql
#       connection string to the "postgres" database; callers swap Database=)
#       and sets COMP_PG_STARTED=true|false (whether this call started it).
#   comp_pg_createdb <dbname>   create a database on the last ensured server
#   comp_pg_stop <purpose>      fast shutdown; no-op when not running
#   comp_pg_destroy <purpose>   stop and delete the data directory
#
# The data directory lives under /tmp because as root the server has to run as
# the "postgres" user, which cannot reach checkouts under /root. Its name holds
# the uid, a hash of the checkout path and the purpose so that checkouts (CI
# clones elsewhere) and run/test never share a server. The location is
# recorded in <repo>/.local/pg-<purpose>.env (git-ignored).
set -euo pipefail

COMP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
COMP_PG_INSTALL_CMD='apt-get update && apt-get install -y postgresql'

_comp_pg_log() { printf 'pg: %s\n' "$*" >&2; }
_comp_pg_die() { printf 'pg: error: %s\n' "$*" >&2; exit 1; }

# Newest server bin dir; COMP_PG_BIN overrides (e.g. non-Debian installs).
_comp_pg_find_bin() {
  if [[ -n ${COMP_PG_BIN:-} && -x ${COMP_PG_BIN}/pg_ctl ]]; then
    printf '%s\n' "$COMP_PG_BIN"
    return 0
  fi
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  # Fallback: binaries on PATH (Homebrew, distro packages that add them).
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

# Sets COMP_PG_BIN, installing the Debian package when we are allowed to.
_comp_pg_need_bin() {
  if COMP_PG_BIN=$(_comp_pg_find_bin); then
    return 0
  fi
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    _comp_pg_log "PostgreSQL server not found; installing it: $COMP_PG_INSTALL_CMD"
    DEBIAN_FRONTEND=noninteractive apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    COMP_PG_BIN=$(_comp_pg_find_bin) || _comp_pg_die "postgresql installed but no server binaries found under /usr/lib/postgresql"
    return 0
  fi
  printf 'pg: error: the PostgreSQL server binaries are not installed. Install them as root:\n  %s\n' \
    "$COMP_PG_INSTALL_CMD" >&2
  exit 1
}

# Run a server tool as the account that owns the data dir: initdb and pg_ctl
# refuse to run as root. cd / so that postgres never tries to stay in /root.
_comp_pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

_comp_pg_datadir() {
  local purpose=$1 hash
  hash=$(printf '%s' "$COMP_ROOT" | cksum | cut -d ' ' -f 1)
  printf '%s/comp-pg-%s-%08x-%s\n' "/tmp" "$(id -u)" "$hash" "$purpose"
}

# PID of the postmaster recorded in the data dir, if it is alive and really a
# postgres process (a pid file left by a crash or reboot may name a reused pid).
_comp_pg_live_pid() {
  local data=$1 pid comm
  [[ -f $data/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || [[ -d /proc/$pid ]] || return 1
  if [[ -r /proc/$pid/comm ]]; then
    # A killed postmaster can linger as a zombie until init reaps it.
    [[ $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c 1) != Z ]] || return 1
    comm=$(cat "/proc/$pid/comm")
  else
    comm=$(ps -o comm= -p "$pid" 2>/dev/null || true)
  fi
  [[ $comm == *postgres* || $comm == *postmaster* ]] || return 1
  printf '%s\n' "$pid"
}

# Port the running server listens on (line 4 of postmaster.pid).
_comp_pg_live_port() { sed -n 4p "$1/postmaster.pid" 2>/dev/null; }

# True when something accepts TCP connections on 127.0.0.1:<port>.
_comp_pg_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_comp_pg_initdb() {
  local data=$1 locale_opt=--no-locale
  # C.UTF-8 sorts like C (stable across machines) but upper()/lower() know Unicode.
  if locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8'; then
    locale_opt=--locale=C.UTF-8
  fi
  _comp_pg_log "initialising $data"
  local out
  if ! out=$(_comp_pg_as_owner "$COMP_PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 "$locale_opt" 2>&1); then
    printf '%s\n' "$out" >&2
    _comp_pg_die "initdb failed for $data"
  fi
}

_comp_pg_record() {
  local purpose=$1 data=$2 port=$3
  mkdir -p "$COMP_ROOT/.local"
  {
    printf '# Written by deploy/local/pg.sh: local PostgreSQL for "%s".\n' "$purpose"
    printf 'COMP_PG_DATA=%q\n' "$data"
    printf 'COMP_PG_PORT=%q\n' "$port"
    printf 'COMP_PG_BIN=%q\n' "$COMP_PG_BIN"
    printf 'COMP_PG_CONN=%q\n' "$COMP_PG_CONN"
    printf '# log: %s/log\n' "$data"
  } >"$COMP_ROOT/.local/pg-$purpose.env"
}

comp_pg_ensure() {
  local purpose=${1:?usage: comp_pg_ensure <purpose> <port> [port-env-var]}
  local port=${2:?usage: comp_pg_ensure <purpose> <port> [port-env-var]}
  local port_var=${3:-}
  if [[ -z $port_var ]]; then
    if [[ $purpose == run ]]; then port_var=COMP_PG_PORT; else port_var="COMP_PG_${purpose^^}_PORT"; fi
  fi
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    _comp_pg_die "invalid port '$port' (set $port_var)"
  fi

  _comp_pg_need_bin
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    _comp_pg_die "no 'postgres' user to run the server as; install the package: $COMP_PG_INSTALL_CMD"
  fi

  local data owner
  data=$(_comp_pg_datadir "$purpose")
  owner=$(id -un)
  [[ $EUID -eq 0 ]] && owner=postgres
  # /tmp is shared: never use a directory someone else planted under our name.
  if [[ -e $data && $(stat -c %U "$data" 2>/dev/null || stat -f %Su "$data") != "$owner" ]]; then
    _comp_pg_die "$data exists but is not owned by $owner; remove it and retry"
  fi

  # A data dir without PG_VERSION is a half-finished initdb; one from another
  # major version cannot be started by these binaries. Both are throwaway.
  local want_major
  want_major=$("$COMP_PG_BIN/pg_ctl" --version | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n 1 || true)
  if [[ -d $data ]]; then
    if [[ ! -f $data/PG_VERSION ]] || [[ -n $want_major && $(cat "$data/PG_VERSION") != "$want_major" ]]; then
      if ! _comp_pg_live_pid "$data" >/dev/null; then
        _comp_pg_log "discarding unusable data dir $data"
        rm -rf "$data"
      fi
    fi
  fi
  [[ -f $data/PG_VERSION ]] || _comp_pg_initdb "$data"

  # shellcheck disable=SC2034 # read by the scripts that source this file
  COMP_PG_STARTED=false
  if _comp_pg_live_pid "$data" >/dev/null; then
    local live_port
    live_port=$(_comp_pg_live_port "$data")
    if [[ $live_port != "$port" ]]; then
      _comp_pg_log "server for '$purpose' runs on port $live_port, restarting it on $port"
      comp_pg_stop "$purpose"
    fi
  elif [[ -f $data/postmaster.pid ]]; then
    # Left behind by a crash or reboot; postgres would refuse to start if the
    # recorded pid now belongs to some other process of the same user.
    _comp_pg_log "removing stale pid file in $data"
    rm -f "$data/postmaster.pid" "$data"/.s.PGSQL.*
  fi

  if ! _comp_pg_live_pid "$data" >/dev/null; then
    if _comp_pg_port_busy "$port"; then
      _comp_pg_die "port $port on 127.0.0.1 is already in use by another process; choose a free one, e.g. $port_var=$((port + 10))"
    fi
    # fsync & co. off: the data is disposable and this makes tests much faster.
    # synchronous_commit stays on: a commit then reaches the WAL (and a standby) at once,
    # which the read-replica routing relies on; with fsync off it costs nothing.
    # More connections than the default 100: each test database gets its own
    # Npgsql pool.
    local opts="-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300"
    local try
    # Retried: after a crashed (kill -9) postmaster its children may hold the
    # shared memory for a moment and postgres refuses to start until they exit.
    for try in 1 2 3 4 5; do
      if _comp_pg_as_owner "$COMP_PG_BIN/pg_ctl" -D "$data" -l "$data/log" -w -t 60 -o "$opts" start >/dev/null; then
        COMP_PG_STARTED=true
        break
      fi
      sleep "$try"
    done
    if [[ $COMP_PG_STARTED != true ]]; then
      tail -n 20 "$data/log" >&2 2>/dev/null || true
      _comp_pg_die "could not start PostgreSQL (log: $data/log)"
    fi
  fi

  local i
  for ((i = 0; i < 60; i++)); do
    "$COMP_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && break
    sleep 0.5
  done
  "$COMP_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres || _comp_pg_die "PostgreSQL on port $port not ready (log: $data/log)"

  # shellcheck disable=SC2034 # read by the scripts that source this file
  COMP_PG_DATA=$data
  COMP_PG_PORT_ACTIVE=$port
  export COMP_PG_CONN="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  _comp_pg_record "$purpose" "$data" "$port"
  if [[ $COMP_PG_STARTED == true ]]; then
    _comp_pg_log "started PostgreSQL '$purpose' on 127.0.0.1:$port (data: $data)"
  else
    _comp_pg_log "PostgreSQL '$purpose' already running on 127.0.0.1:$port"
  fi
}

comp_pg_createdb() {
  local db=${1:?usage: comp_pg_createdb <dbname>}
  [[ -n ${COMP_PG_PORT_ACTIVE:-} ]] || _comp_pg_die "comp_pg_createdb: call comp_pg_ensure first"
  # \gexec runs the CREATE only when the SELECT returns a row; psql variables
  # quote the name safely (they are not expanded in -c, hence stdin).
  "$COMP_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$COMP_PG_PORT_ACTIVE" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -v db="$db" >/dev/null <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec
SQL
}

comp_pg_stop() {
  local purpose=${1:?usage: comp_pg_stop <purpose>} data
  data=$(_comp_pg_datadir "$purpose")
  _comp_pg_live_pid "$data" >/dev/null || return 0
  [[ -n ${COMP_PG_BIN:-} ]] || COMP_PG_BIN=$(_comp_pg_find_bin) || return 0
  _comp_pg_as_owner "$COMP_PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null \
    || _comp_pg_log "warning: could not stop PostgreSQL in $data"
  _comp_pg_log "stopped PostgreSQL '$purpose'"
}

comp_pg_destroy() {
  local purpose=${1:?usage: comp_pg_destroy <purpose>} data
  comp_pg_stop "$purpose"
  data=$(_comp_pg_datadir "$purpose")
  rm -rf "$data" "$COMP_ROOT/.local/pg-$purpose.env"
}

# A streaming-replication standby of the server on <primary-port>, made anew each
# time with pg_basebackup -R (a standby of an earlier primary could not follow a
# re-initialised one). Exports COMP_PG_CONN for the standby, like comp_pg_ensure.
comp_pg_ensure_standby() {
  local purpose=${1:?usage: comp_pg_ensure_standby <purpose> <port> <primary-port> [port-env-var]}
  local port=${2:?usage: comp_pg_ensure_standby <purpose> <port> <primary-port> [port-env-var]}
  local primary_port=${3:?usage: comp_pg_ensure_standby <purpose> <port> <primary-port> [port-env-var]}
  _comp_pg_need_bin
  comp_pg_destroy "$purpose"
  local data
  data=$(_comp_pg_datadir "$purpose")
  mkdir -p "$data"
  chmod 700 "$data"
  [[ $EUID -eq 0 ]] && chown postgres "$data"
  _comp_pg_log "cloning a standby of 127.0.0.1:$primary_port into $data"
  _comp_pg_as_owner "$COMP_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$data" -R -X stream -c fast \
    || _comp_pg_die "pg_basebackup from port $primary_port failed"
  comp_pg_ensure "$purpose" "$port" "${4:-}"
}
