#!/usr/bin/env bash
# Reliability scenarios against the real service on loopback (see reliability.md):
#
#   outage  PostgreSQL stopped (-m immediate) for ~10 s under batch writes: 503 + Retry-After,
#           recovery without an API restart, every acknowledged batch stored exactly once
#   crash   the API SIGKILLed in the middle of a 50,000-row batch: all or nothing, then the
#           same Idempotency-Key stores it exactly once
#   load    60 s of mixed reads and writes from several clients: no error but the intended 429s,
#           every acknowledged row stored; requests/s and p50/p99 per request kind
#   budget  two API processes on one database and one anonymous client sending to both: the
#           rate-limit budget holds for the pair, not per process
#
#   deploy/local/reliability.sh                 all four
#   deploy/local/reliability.sh crash load      some of them, in that order
#   PORT=8095                                   API port (the budget scenario's second process: PORT+1)
#   COMP_PG_RELIABILITY_PORT=55436              port of this script's own PostgreSQL
#   RELIABILITY_LOAD_SECONDS=60                 length of the load scenario
#   RELIABILITY_KEY_PER_MINUTE=600              RateLimits:KeyPerMinute of the load scenario
#   RELIABILITY_OUTAGE_SECONDS=10               how long PostgreSQL stays down
#   RELIABILITY_CRASH_ROUNDS=3                  batches killed in flight
#   RELIABILITY_SEED=n                          repeat a run's random choices
#   RELIABILITY_KEEP_PG=1                       keep the PostgreSQL data dir afterwards
#
# Builds the API in Release once, starts a throwaway PostgreSQL of its own (comp_pg_ensure
# reliability; it stops and restarts that server, never another), a fresh database
# comp_reliability, and the API as a separate process (dotnet Comp.Api.dll) per scenario; the
# crash scenario starts and kills its own API processes. Logs: .local/reliability/. Everything it
# started is stopped on exit. Ends with `reliability: N passed, N failed`; non-zero exit when a
# scenario failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source-path=SCRIPTDIR source=pg.sh
source "$HERE/pg.sh"
# shellcheck source-path=SCRIPTDIR source=api.sh
source "$HERE/api.sh"

export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

all_scenarios=(outage crash load budget)
scenarios=("$@")
((${#scenarios[@]})) || scenarios=("${all_scenarios[@]}")
for s in "${scenarios[@]}"; do
  [[ " ${all_scenarios[*]} " == *" $s "* ]] || { echo "reliability: unknown scenario '$s' (${all_scenarios[*]})" >&2; exit 2; }
done

api_port=${PORT:-8095}
pg_port=${COMP_PG_RELIABILITY_PORT:-55436}
load_seconds=${RELIABILITY_LOAD_SECONDS:-60}
key_per_minute=${RELIABILITY_KEY_PER_MINUTE:-600}
run_dir=$ROOT/.local/reliability
api_out=$ROOT/src/Comp.Api/bin/Release/net10.0
program=$ROOT/tests/Comp.Reliability/bin/Release/net10.0/Comp.Reliability.dll
mkdir -p "$run_dir"
rm -f "$run_dir"/*.log "$run_dir"/*.out "$run_dir"/*.pid

api_pid=
api2_pid=
pg_started=false

log() { printf 'reliability: %s\n' "$*" >&2; }

# shellcheck disable=SC2317 # invoked via trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  comp_api_stop "$api_pid"
  comp_api_stop "$api2_pid"
  # The crash scenario's own API, if the program did not get to stop it.
  if [[ -f $run_dir/crash-api.pid ]]; then
    comp_api_stop "$(cat "$run_dir/crash-api.pid")"
    rm -f "$run_dir/crash-api.pid"
  fi
  if [[ $pg_started == true ]]; then
    if [[ -n ${COMP_PG_DATA:-} && -f $COMP_PG_DATA/log ]]; then
      cp "$COMP_PG_DATA/log" "$run_dir/postgresql.log" 2>/dev/null || true
    fi
    if [[ ${RELIABILITY_KEEP_PG:-} == 1 ]]; then
      comp_pg_stop reliability || true
    else
      comp_pg_destroy reliability || true
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Build before starting anything, so a broken build leaves nothing running.
dotnet build "$ROOT/src/Comp.Api" -c Release -v quiet -nologo
dotnet build "$ROOT/tests/Comp.Reliability" -c Release -v quiet -nologo

pg_started=true
comp_pg_ensure reliability "$pg_port" COMP_PG_RELIABILITY_PORT
# A fresh database each run: leftovers of an aborted run must not count.
"$COMP_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$COMP_PG_PORT_ACTIVE" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c 'DROP DATABASE IF EXISTS comp_reliability WITH (FORCE)' >/dev/null
comp_pg_createdb comp_reliability

admin_key=$(openssl rand -hex 24)
export ConnectionStrings__Comp="Host=127.0.0.1;Port=$COMP_PG_PORT_ACTIVE;Username=postgres;Database=comp_reliability"
export Auth__BootstrapAdminKey=$admin_key
# The protected tier's secret for this run (every API process of the run shares it).
export Privacy__Key=${Privacy__Key:-$(openssl rand -hex 32)}
export RELIABILITY_API=http://127.0.0.1:$api_port
export RELIABILITY_ADMIN_KEY=$admin_key
export RELIABILITY_DB=$ConnectionStrings__Comp
export RELIABILITY_ROOT=$ROOT
export RELIABILITY_RUN_DIR=$run_dir
export RELIABILITY_PG_DATA=$COMP_PG_DATA
export RELIABILITY_PG_BIN=$COMP_PG_BIN
export RELIABILITY_PG_PORT=$COMP_PG_PORT_ACTIVE
export RELIABILITY_API_DLL=$api_out/Comp.Api.dll
export RELIABILITY_LOAD_SECONDS=$load_seconds
export RELIABILITY_KEY_PER_MINUTE=$key_per_minute
# The API's runtime settings, for every API process of the run (those the scenarios start too).
comp_api_runtime_env
# Not limited unless the scenario says so.
export RateLimits__KeyPerMinute=1000000
export RateLimits__AnonymousPerMinute=1000000

# start_api <log name> [VAR=value…]: the API as a separate process, from its output dir (the
# content root with appsettings.json), until /health/ready answers.
start_api() {
  local name=$1
  shift
  start_api_on "$api_port" "$name" "$@" && api_pid=$started_pid
}

# start_api_on <port> <log name> [VAR=value…]: the same on another port; sets started_pid.
start_api_on() {
  local port=$1 name=$2 i
  shift 2
  started_pid=
  if _comp_pg_port_busy "$port"; then
    log "port $port is in use; set PORT to a free one"
    return 1
  fi
  (cd "$api_out" && exec env "$@" dotnet "$api_out/Comp.Api.dll" --urls "http://127.0.0.1:$port") >>"$run_dir/api-$name.log" 2>&1 &
  started_pid=$!
  for ((i = 0; i < 600; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null; then
      return 0
    fi
    kill -0 "$started_pid" 2>/dev/null || { log "the API exited at start-up (log: $run_dir/api-$name.log)"; tail -n 20 "$run_dir/api-$name.log" >&2; return 1; }
    sleep 0.1
  done
  log "the API was not ready within 60 s (log: $run_dir/api-$name.log)"
  return 1
}

stop_api() {
  comp_api_stop "$api_pid"
  api_pid=
  comp_api_stop "$api2_pid"
  api2_pid=
}

# run_program <scenario>: bounded by `timeout` on top of the program's own budget.
run_program() {
  local scenario=$1 limit
  case $scenario in
    outage) limit=$((300 + ${RELIABILITY_OUTAGE_SECONDS:-10})) ;;
    crash) limit=$((150 + 80 * ${RELIABILITY_CRASH_ROUNDS:-3})) ;;
    load) limit=$((210 + load_seconds)) ;;
    budget) limit=180 ;;
  esac
  local rc=0
  timeout --foreground -k 10 "$limit" dotnet "$program" "$scenario" 2>&1 | tee "$run_dir/$scenario.out" || rc=${PIPESTATUS[0]}
  return "$rc"
}

passed=0 failed=0
declare -A result took
for scenario in "${scenarios[@]}"; do
  started=$SECONDS
  rc=0
  case $scenario in
    outage)
      if start_api outage Demo__Load=false; then run_program outage || rc=$?; else rc=1; fi
      stop_api
      # The scenario restarts PostgreSQL itself; make sure it is up for what follows even if it did not.
      comp_pg_ensure reliability "$pg_port" COMP_PG_RELIABILITY_PORT
      ;;
    crash)
      run_program crash || rc=$?
      [[ -f $run_dir/crash-api.pid ]] && comp_api_stop "$(cat "$run_dir/crash-api.pid")"
      rm -f "$run_dir/crash-api.pid"
      ;;
    load)
      # Anonymous readers all come from 127.0.0.1: their per-IP limit stays out of the way; the
      # per-key limit is the one the scenario runs into on purpose.
      if start_api load Demo__Load=true "RateLimits__KeyPerMinute=$key_per_minute"; then run_program load || rc=$?; else rc=1; fi
      stop_api
      ;;
    budget)
      # Two processes, one database, one anonymous budget; 127.0.0.1 is the proxy whose
      # X-Forwarded-For names the client (a client address of the scenario's own).
      # Refusals are sent at once (no RefusalDelayMilliseconds), so the scenario stays within one wall-clock minute.
      budget_env=("RateLimits__AnonymousPerMinute=${RELIABILITY_BUDGET:-60}" RateLimits__RefusalDelayMilliseconds=0 ForwardedHeaders__KnownProxies__0=127.0.0.1 Demo__Load=false)
      rc=1
      if start_api budget-1 "${budget_env[@]}"; then
        second_ready=false
        start_api_on $((api_port + 1)) budget-2 "${budget_env[@]}" && second_ready=true
        api2_pid=$started_pid
        if [[ $second_ready == true ]]; then
          rc=0
          RELIABILITY_API2=http://127.0.0.1:$((api_port + 1)) run_program budget || rc=$?
        fi
      fi
      stop_api
      ;;
  esac
  took[$scenario]=$((SECONDS - started))
  if ((rc == 0)); then
    result[$scenario]=passed
    passed=$((passed + 1))
  else
    result[$scenario]="FAILED (exit $rc)"
    failed=$((failed + 1))
  fi
done

for scenario in "${scenarios[@]}"; do
  echo "reliability: $scenario ${result[$scenario]} in ${took[$scenario]} s"
done
echo "reliability: $passed passed, $failed failed"
((failed == 0))
