#!/usr/bin/env bash
# The benchmark's API process: started by run.sh, and again by the program's --restart-api for the
# start-up measurement, so both runs of the API have the same settings. Not meant to be run by hand.
#
#   api.sh start      start the API in the background, print its pid (log: a fresh $BENCH_API_LOG)
#   api.sh restart    stop the API whose pid is in $BENCH_API_PIDFILE, then start one (log appended)
#
# BENCH_API_LIMITS=default (for either command) starts the API with the service's own rate limits instead:
# the program's serve phase restarts it so, to measure a well-behaved client beside throttled ones.
#
# run.sh exports BENCH_API_DIR (the Release output, the content root), BENCH_API_PORT, BENCH_API_CONN,
# BENCH_API_KEY, BENCH_API_LOG and BENCH_API_PIDFILE. The API runs with its runtime settings
# (deploy/runtime.env, as deployed), Demo__Load=false, the
# bootstrap admin key, rate limits out of the way and Telemetry__PrometheusEnabled=true (GET /metrics,
# for the band index's gauges); other settings (BandIndex__Enabled=false, …) come from the environment.
# The API outlives this script: the pid file names the one running, and run.sh stops it on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source-path=SCRIPTDIR source=../../deploy/local/api.sh
source "$HERE/../../deploy/local/api.sh"

: "${BENCH_API_DIR:?} ${BENCH_API_PORT:?} ${BENCH_API_CONN:?} ${BENCH_API_KEY:?} ${BENCH_API_LOG:?} ${BENCH_API_PIDFILE:?}"

start() {
  local limits=(RateLimits__KeyPerMinute=1000000000 RateLimits__AnonymousPerMinute=1000000000)
  if [[ ${BENCH_API_LIMITS:-} == default ]]; then limits=(); fi
  # A child of a subshell that exits at once: the API is not tied to this script, and its output
  # (not our stdout, which carries the pid) goes to the log.
  (comp_api_runtime_env && cd "$BENCH_API_DIR" && exec env ConnectionStrings__Comp="$BENCH_API_CONN" Auth__BootstrapAdminKey="$BENCH_API_KEY" \
    Privacy__Key="bench-privacy-$BENCH_API_KEY" \
    Demo__Load=false "${limits[@]}" \
    Telemetry__PrometheusEnabled=true \
    dotnet "$BENCH_API_DIR/Comp.Api.dll" --urls "http://127.0.0.1:$BENCH_API_PORT") </dev/null >>"$BENCH_API_LOG" 2>&1 &
  local pid=$!
  printf '%s\n' "$pid" >"$BENCH_API_PIDFILE"
  printf '%s\n' "$pid"
}

case ${1:-} in
  start)
    : >"$BENCH_API_LOG"
    start
    ;;
  restart)
    old=$(cat "$BENCH_API_PIDFILE" 2>/dev/null || true)
    comp_api_stop "$old"
    # After a SIGKILL, the port is free once the process is gone.
    for ((i = 0; i < 100; i++)); do
      if [[ -z $old ]] || ! kill -0 "$old" 2>/dev/null; then break; fi
      sleep 0.1
    done
    printf '\n==== %s: api.sh restart (pid %s stopped)%s ====\n\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${old:-?}" \
      "${BENCH_API_LIMITS:+, rate limits ${BENCH_API_LIMITS}}" >>"$BENCH_API_LOG"
    start
    ;;
  *)
    printf 'usage: %s start|restart\n' "$0" >&2
    exit 2
    ;;
esac
