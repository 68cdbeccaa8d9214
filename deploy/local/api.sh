# shellcheck shell=bash
# Sourced by the scripts that start the API as their own process (deploy/local/run.sh,
# deploy/local/reliability.sh, tests/Comp.Benchmarks/api.sh).

# Exports the API's runtime settings (deploy/runtime.env) into this shell: call it in the subshell
# that starts the API, or where every process the script starts may have them.
comp_api_runtime_env() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    [[ -z $line || $line == \#* ]] && continue
    export "${line?}"
  done <"$(dirname "${BASH_SOURCE[0]}")/../runtime.env"
}

# Ends an API process we started: SIGTERM (graceful), SIGKILL after 20 s. Only a pid that is
# still a Comp.Api process is touched (pids get reused).
comp_api_stop() {
  local pid=${1:-} i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  grep -q 'Comp.Api.dll' "/proc/$pid/cmdline" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
