#!/usr/bin/env bash
# Run the Comp API locally against a throwaway PostgreSQL, in the foreground.
#
#   deploy/local/run.sh                  API on http://127.0.0.1:8080
#   PORT=9000 deploy/local/run.sh        another HTTP port
#   COMP_PG_PORT=55500 ...               another PostgreSQL port (default 55432)
#   ConnectionStrings__Comp='Host=..' .. use that database; no local server
#   Demo__Load=false ...                 skip the demo data (default true)
#   Auth__BootstrapAdminKey=secret ...   bootstrap admin API key; there is no
#                                        default: pass it through the
#                                        environment if you want one
#
# The whole environment is passed to the service, so any ASP.NET Core setting
# (Section__Key=value) can be given the same way. The API applies its database
# migrations and loads the demo data itself at start-up.
# Ctrl-C stops the API and then the local PostgreSQL server.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source-path=SCRIPTDIR source=pg.sh
source "$HERE/pg.sh"
# shellcheck source-path=SCRIPTDIR source=api.sh
source "$HERE/api.sh"

export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

api_port=${PORT:-8080}
api_pid=
own_pg=false

# shellcheck disable=SC2317 # invoked via trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Ctrl-C in a terminal reaches the API too (same process group), but a
  # signal sent to this script alone does not: forward SIGTERM, which ASP.NET
  # Core handles as a graceful shutdown (harmless if already stopping), and
  # wait for the API to exit before stopping its database.
  if [[ -n $api_pid ]] && kill -0 "$api_pid" 2>/dev/null; then
    kill -TERM "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
  if [[ $own_pg == true ]]; then
    comp_pg_stop run || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Build before starting PostgreSQL so a broken build leaves nothing running.
dotnet build "$ROOT/src/Comp.Api" -c Release

if [[ -z ${ConnectionStrings__Comp:-} ]]; then
  own_pg=true
  comp_pg_ensure run "${COMP_PG_PORT:-55432}" COMP_PG_PORT
  comp_pg_createdb comp
  export ConnectionStrings__Comp="Host=127.0.0.1;Port=$COMP_PG_PORT_ACTIVE;Username=postgres;Database=comp"
else
  echo "Using ConnectionStrings__Comp from the environment; no local PostgreSQL started." >&2
fi
export ConnectionStrings__Comp
export Demo__Load=${Demo__Load:-true}
if [[ -n ${Auth__BootstrapAdminKey:-} ]]; then
  export Auth__BootstrapAdminKey
fi
# The protected tier's secret (Privacy:Key): one per checkout, kept in the git-ignored .local/, so
# the noise stays the same across restarts (a new key each start would let repeated requests average it).
if [[ -z ${Privacy__Key:-} ]]; then
  mkdir -p "$ROOT/.local"
  [[ -s $ROOT/.local/privacy-key ]] || (umask 077 && openssl rand -hex 32 >"$ROOT/.local/privacy-key")
  Privacy__Key=$(cat "$ROOT/.local/privacy-key")
fi
export Privacy__Key

out="$ROOT/src/Comp.Api/bin/Release/net10.0"
echo "Swagger UI: http://127.0.0.1:$api_port/swagger"
# A child, not exec, so the trap can stop PostgreSQL after the API exits. Run
# from the output dir: it is the content root where appsettings*.json live.
(comp_api_runtime_env && cd "$out" && exec dotnet "$out/Comp.Api.dll" --urls "http://127.0.0.1:$api_port") &
api_pid=$!
wait "$api_pid"
