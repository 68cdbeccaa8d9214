#!/usr/bin/env bash
# Run every test in Comp.sln against a throwaway local PostgreSQL.
#
#   deploy/local/test.sh                       all tests
#   deploy/local/test.sh --filter Name~Salary  extra args go to `dotnet test`
#   deploy/local/test.sh --containers          the API tests (tests/Comp.Api.Tests) on PostgreSQL
#                                              containers that Testcontainers starts: no local server,
#                                              COMP_TEST_PG and COMP_TEST_REPLICA_PG ignored; needs
#                                              a Docker engine and the postgres image
#                                              (deploy/local/docker.sh); TRX files comp-containers*
#   COMP_TEST_PG='Host=..;Database=postgres'   use that server; none started
#   COMP_PG_TEST_PORT=55500                    local server port (default 55433)
#   COMP_TEST_RESULTS=/some/dir                TRX output (default .local/test-results)
#   COMP_TEST_REPLICA_PG=..                    a streaming standby of COMP_TEST_PG for the replica test
#                                              (default: cloned from the local server on COMP_PG_STANDBY_PORT, 55434)
#
# COMP_TEST_PG points at the maintenance database "postgres": the test fixture
# creates its own fresh database per run. Exits with `dotnet test`'s code.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source-path=SCRIPTDIR source=pg.sh
source "$HERE/pg.sh"

export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

containers=false
if [[ ${1:-} == --containers ]]; then
  containers=true
  shift
fi

RESULTS=${COMP_TEST_RESULTS:-$ROOT/.local/test-results}
mkdir -p "$RESULTS"
# Old TRX files would be counted again by .ci/run. A containers run follows a default one in
# .ci/run and replaces only its own files; a default run starts the folder afresh.
if [[ $containers == true ]]; then
  rm -f "$RESULTS"/comp-containers*.trx
  trx_prefix=comp-containers
else
  rm -f "$RESULTS"/*.trx
  trx_prefix=comp
fi

stop_pg=false
stop_standby=false
# shellcheck disable=SC2317 # invoked via trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Only a server this run started: never one already running (e.g. another
  # test run of this checkout) nor the external COMP_TEST_PG.
  if [[ $stop_pg == true ]]; then
    if [[ ${CI:-} == true ]]; then
      # CI clones into a new folder each time: don't leave data dirs behind.
      comp_pg_destroy test || true
    else
      comp_pg_stop test || true
    fi
  fi
  if [[ $stop_standby == true ]]; then
    comp_pg_destroy test-standby || true
  fi
  exit "$rc"
}
trap cleanup EXIT
# `dotnet test` runs in the foreground and gets Ctrl-C itself; bash runs these
# traps once it has returned.
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $containers == true ]]; then
  # TestDatabase starts a container per server it needs; Ryuk, Testcontainers' reaper, is an
  # image of its own that cannot be pulled here, and the tests remove their containers themselves.
  unset COMP_TEST_PG COMP_TEST_REPLICA_PG
  export TESTCONTAINERS_RYUK_DISABLED=true
  docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1 \
    || { echo "test.sh --containers: no Docker engine answers; start one with deploy/local/docker.sh (as root)" >&2; exit 1; }
elif [[ -n ${COMP_TEST_PG:-} ]]; then
  echo "Using COMP_TEST_PG from the environment; no local PostgreSQL started." >&2
  export COMP_TEST_PG COMP_TEST_REPLICA_PG
else
  comp_pg_ensure test "${COMP_PG_TEST_PORT:-55433}" COMP_PG_TEST_PORT
  stop_pg=$COMP_PG_STARTED
  COMP_TEST_PG=$COMP_PG_CONN
  # A streaming standby of the test server, for the read-replica test.
  if [[ -z ${COMP_TEST_REPLICA_PG:-} ]]; then
    comp_pg_ensure_standby test-standby "${COMP_PG_STANDBY_PORT:-55434}" "$COMP_PG_PORT_ACTIVE" COMP_PG_STANDBY_PORT
    stop_standby=true
    COMP_TEST_REPLICA_PG=$COMP_PG_CONN
  fi
  export COMP_TEST_PG COMP_TEST_REPLICA_PG
fi

# The chart test renders SVG in a real browser: Debian's headless Chromium.
if [[ -z ${COMP_CHROMIUM:-} ]] && ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "Installing Debian's chromium for the chart screenshot test..." >&2
    apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  else
    echo "chromium is missing: the chart test will fail. Install it with: sudo apt-get install -y chromium" >&2
  fi
fi
export COMP_TEST_RESULTS=$RESULTS
# The protected tier's secret, drawn per run (the attacks must hold for any key) and printed, so a
# failing run can be repeated with COMP_TEST_PRIVACY_KEY set to it.
export COMP_TEST_PRIVACY_KEY=${COMP_TEST_PRIVACY_KEY:-$(openssl rand -hex 32)}
echo "test.sh: Privacy:Key for this run: COMP_TEST_PRIVACY_KEY=$COMP_TEST_PRIVACY_KEY" >&2

target=$ROOT/Comp.sln
[[ $containers == false ]] || target=$ROOT/tests/Comp.Api.Tests/Comp.Api.Tests.csproj
rc=0
dotnet test "$target" -c Release \
  --logger "trx;LogFilePrefix=$trx_prefix" --results-directory "$RESULTS" "$@" || rc=$?
exit "$rc"
