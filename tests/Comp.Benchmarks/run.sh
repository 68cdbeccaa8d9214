#!/usr/bin/env bash
# Issue 8's benchmark, end to end: a throwaway PostgreSQL, the API in Release as its own process,
# then tests/Comp.Benchmarks (see README.md beside this file). Results in .local/bench/.
#
#   tests/Comp.Benchmarks/run.sh                          1,000,000 rows
#   BENCH_ROWS=10000000 tests/Comp.Benchmarks/run.sh      10M rows
#   BENCH_ROWS=100000 tests/Comp.Benchmarks/run.sh --cut-seconds 5 --seconds 5   options after the script go to the program
#
#   BENCH_ROWS=1000000         rows to generate and load
#   BENCH_OUT=.local/bench     where results.md, results.json and the logs go
#   BENCH_LABEL=…              a note for the report (e.g. the machine's name)
#   BENCH_KEEP_PG=1            keep the database afterwards (stopped, data dir under /tmp)
#   BENCH_REUSE=1              measure the database a BENCH_KEEP_PG run left (no load; --skip-load)
#   PORT=8096                  API port
#   COMP_PG_BENCH_PORT=55437   PostgreSQL port
#
# The API (started by api.sh beside this file) runs with Demo__Load=false, a bootstrap admin key
# generated for the run, rate limits out of the way and Telemetry__PrometheusEnabled=true; its log
# is $BENCH_OUT/api.log. After the cuts the program restarts it through `api.sh restart` to time
# the band index's start-up, and in its last phase (serve) once more with BENCH_API_LIMITS=default,
# the service's own rate limits; the serve phase needs wrk (Debian package wrk) and is skipped
# without it. Everything this script started is stopped on exit (Ctrl-C included); the database is
# deleted unless BENCH_KEEP_PG=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source-path=SCRIPTDIR source=../../deploy/local/pg.sh
source "$ROOT/deploy/local/pg.sh"
# shellcheck source-path=SCRIPTDIR source=../../deploy/local/api.sh
source "$ROOT/deploy/local/api.sh"

export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

rows=${BENCH_ROWS:-1000000}
api_port=${PORT:-8096}
pg_port=${COMP_PG_BENCH_PORT:-55437}
out=${BENCH_OUT:-$ROOT/.local/bench}
reuse=${BENCH_REUSE:-}
keep_pg=${BENCH_KEEP_PG:-}
[[ $reuse == 1 ]] && keep_pg=1
api_out=$ROOT/src/Comp.Api/bin/Release/net10.0
program=$HERE/bin/Release/net10.0/Comp.Benchmarks.dll
mkdir -p "$out"
out=$(cd "$out" && pwd -P)

api_pid=
api_pidfile=$out/api.pid
pg_started=false

log() { printf 'bench: %s\n' "$*" >&2; }

# shellcheck disable=SC2317 # invoked via cleanup
# Ends the API we started: the one the pid file names (the program may have restarted it).
stop_api() {
  local pid=$api_pid
  [[ -f $api_pidfile ]] && pid=$(<"$api_pidfile")
  api_pid=
  comp_api_stop "$pid"
  rm -f "$api_pidfile"
}

# shellcheck disable=SC2317 # invoked via trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_api
  if [[ $pg_started == true ]]; then
    if [[ -n ${COMP_PG_DATA:-} && -f $COMP_PG_DATA/log ]]; then
      cp "$COMP_PG_DATA/log" "$out/postgresql.log" 2>/dev/null || true
    fi
    if [[ $keep_pg == 1 ]]; then comp_pg_stop bench || true; else comp_pg_destroy bench || true; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Build first, so a broken build leaves nothing running.
dotnet build "$ROOT/src/Comp.Api" -c Release -v quiet -nologo
dotnet build "$HERE" -c Release -v quiet -nologo

pg_started=true
comp_pg_ensure bench "$pg_port" COMP_PG_BENCH_PORT
if [[ $reuse != 1 ]]; then
  # A fresh database: the load must start from an empty table.
  "$COMP_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$COMP_PG_PORT_ACTIVE" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c 'DROP DATABASE IF EXISTS comp_bench WITH (FORCE)' >/dev/null
fi
comp_pg_createdb comp_bench
conn="Host=127.0.0.1;Port=$COMP_PG_PORT_ACTIVE;Username=postgres;Database=comp_bench"

if _comp_pg_port_busy "$api_port"; then
  log "port $api_port is in use; set PORT to a free one"
  exit 1
fi
# For api.sh, here and when the program restarts the API.
BENCH_API_KEY=$(openssl rand -hex 24)
export BENCH_API_DIR=$api_out BENCH_API_PORT=$api_port BENCH_API_CONN=$conn BENCH_API_KEY
export BENCH_API_LOG=$out/api.log BENCH_API_PIDFILE=$api_pidfile
rm -f "$api_pidfile"
api_pid=$("$HERE/api.sh" start)
# Up to 10 minutes: with BENCH_REUSE the API may load a large table into its band index first.
for ((i = 0; i < 6000; i++)); do
  curl -fsS -o /dev/null "http://127.0.0.1:$api_port/health/ready" 2>/dev/null && break
  kill -0 "$api_pid" 2>/dev/null || { log "the API exited at start-up (log: $out/api.log)"; tail -n 20 "$out/api.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$api_port/health/ready" || { log "the API was not ready within 10 minutes (log: $out/api.log)"; exit 1; }
log "API pid $api_pid on port $api_port, PostgreSQL on $COMP_PG_PORT_ACTIVE, $rows rows"

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] && commit="$commit (with uncommitted changes)"
extra=()
[[ $reuse == 1 ]] && extra+=(--skip-load)
[[ -n ${BENCH_LABEL:-} ]] && extra+=(--label "$BENCH_LABEL")

rc=0
dotnet "$program" --rows "$rows" --api "http://127.0.0.1:$api_port" --key "$BENCH_API_KEY" --pg "$conn" \
  --api-pid "$api_pid" --restart-api "$(printf '%q restart' "$HERE/api.sh")" --out "$out" --psql "$COMP_PG_BIN/psql" \
  --commit "$commit" "${extra[@]}" "$@" 2>&1 |
  tee "$out/bench.out" || rc=${PIPESTATUS[0]}
log "results: $out/results.md, $out/results.json (exit $rc)"
exit "$rc"
