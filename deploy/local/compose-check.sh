#!/usr/bin/env bash
# The image and Compose, started and probed: builds deploy/Dockerfile, brings
# deploy/docker-compose.yml up with the demo data and checks what docs/operations.md says of it,
# then takes it all down with its volume. Run by .ci/run after the container tests.
#
#   deploy/local/compose-check.sh        needs a Docker engine and the base images
#                                        (deploy/local/docker.sh), jq, and for the Swagger UI
#                                        check chromium and npm (deploy/local/swagger-ui-check.sh)
#   PORT=8080                            host port the API is published on (COMP_API_PORT)
#
# Its own Compose project, comp-check, never `comp`: it ends with `down -v`, which would drop the
# database volume of a stack someone runs for real. Prints one line per check and ends with
# `compose: N passed, N failed`; exits 1 when a check failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)

project=comp-check
port=${PORT:-8080}
base=http://127.0.0.1:$port
admin_key=$(openssl rand -hex 24)
export COMP_API_PORT=$port COMP_DEMO=true COMP_BOOTSTRAP_ADMIN_KEY=$admin_key
export COMP_PRIVACY_KEY=${COMP_PRIVACY_KEY:-$(openssl rand -hex 32)}
compose() { docker compose -p "$project" -f "$ROOT/deploy/docker-compose.yml" "$@"; }
# What docker compose prints (the build, up, down) goes here, not into the checks' output.
mkdir -p "$ROOT/.local"
log=$ROOT/.local/compose-check.log
: >"$log"

passed=0 failed=0
pass() { passed=$((passed + 1)); printf 'compose: PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'compose: FAIL %s\n' "$*"; }
summary() { printf 'compose: %d passed, %d failed\n' "$passed" "$failed"; }

# shellcheck disable=SC2317 # invoked via trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((failed > 0)); then
    echo "--- last lines of the api service's log ---"
    compose logs --no-color --tail 40 api 2>&1 || true
  fi
  compose down -v --remove-orphans >>"$log" 2>&1 || echo "compose: warning: 'docker compose -p $project down -v' failed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1 \
  || { echo "compose-check.sh: no Docker engine answers; start one with deploy/local/docker.sh (as root)" >&2; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "compose-check.sh: port $port is in use; set PORT to a free one" >&2
  exit 1
fi
# Left by a run that was killed before its cleanup.
compose down -v --remove-orphans >>"$log" 2>&1 || true

# Seconds until GET $1 answers 200, at most $2; non-zero on time-out.
wait_for() {
  local url=$1 limit=$2 start=$SECONDS
  until curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; do
    ((SECONDS - start < limit)) || return 1
    sleep 1
  done
  echo $((SECONDS - start))
}

# curl that prints the body and fails on a status other than $1: expect STATUS ARGS...
expect() {
  local status=$1 out code
  shift
  out=$(mktemp)
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 "$@") || code=000
  cat "$out"
  rm -f "$out"
  [[ $code == "$status" ]] || { echo "HTTP $code, expected $status" >&2; return 1; }
}

admin() { expect "$1" -H "X-Api-Key: $admin_key" "${@:2}"; }

# --- the image ------------------------------------------------------------------------------

start=$SECONDS
# The image this build replaces, removed once no tag names it: each run would leave one behind.
old_image=$(docker image inspect --format '{{.Id}}' comp-api:latest 2>/dev/null || true)
if compose build api >>"$log" 2>&1; then
  pass "deploy/Dockerfile builds ($((SECONDS - start)) s)"
  if [[ -n $old_image && $(docker image inspect --format '{{len .RepoTags}}' "$old_image" 2>/dev/null) == 0 ]]; then
    docker image rm "$old_image" >/dev/null 2>&1 || true
  fi
else
  fail "deploy/Dockerfile builds (log: $log)"
  tail -n 30 "$log"
  summary
  exit 1
fi

# --- the stack, with the demo data ----------------------------------------------------------

start=$SECONDS
compose up -d >>"$log" 2>&1 || true
if wait_for "$base/health/ready" 240 >/dev/null; then
  pass "compose up: /health/ready answers 200 ($((SECONDS - start)) s after up, demo data loaded)"
else
  fail "compose up: /health/ready did not answer 200 within 240 s"
  summary
  exit 1
fi

band=/v1/bands?role=ml-engineer\&region=us-ca\&component=base
# The figures of the demo dataset (src/Comp.Api/Data/DemoData): base pay of ML engineers in
# California, 130k-240k USD (Glassdoor). Exact tier with the bootstrap key, within 5%.
if answer=$(admin 200 "$base$band") &&
  jq -e '.disclosure == "exact" and (.cells | length == 1)
         and (.cells[0].percentiles.p10 | . > 123500 and . < 136500)
         and (.cells[0].percentiles.p90 | . > 228000 and . < 252000)' <<<"$answer" >/dev/null; then
  demo_n=$(jq '.cells[0].n' <<<"$answer")
  pass "demo band ml-engineer/us-ca/base, exact: n=$demo_n p10=$(jq '.cells[0].percentiles.p10' <<<"$answer") p90=$(jq '.cells[0].percentiles.p90' <<<"$answer")"
else
  demo_n=
  fail "demo band ml-engineer/us-ca/base, exact tier, p10 ≈ 130k and p90 ≈ 240k: ${answer:-no answer}"
fi

if answer=$(expect 200 "$base$band") && jq -e '.disclosure == "protected"' <<<"$answer" >/dev/null; then
  pass "the same band without a key is the protected tier"
else
  fail "the same band without a key is the protected tier: ${answer:-no answer}"
fi

# Swagger UI, in a real browser: authorise with the key and run GET /v1/bands from the page.
if ui=$(API=$base KEY=$admin_key bash "$HERE/swagger-ui-check.sh" "$ROOT/.local/compose-swagger-ui.png" 2>&1); then
  pass "Swagger UI: GET /v1/bands run from the page with the key ($(grep -o '"operations":[0-9]*' <<<"$ui"))"
else
  fail "Swagger UI: $ui"
fi

datapoint='{"employer":"openai","role":"research-scientist","level":"L6","region":"us-ca-sf-bay-area","currency":"USD","effectiveDate":"2024-04-01","baseSalary":340000,"equityGrant":28000000,"source":"press_report","sourceNote":"compose-check.sh"}'
if created=$(admin 201 -X POST "$base/v1/datapoints" -H 'Content-Type: application/json' -d "$datapoint") &&
  id=$(jq -er '.id' <<<"$created") && admin 200 "$base/v1/datapoints/$id" >/dev/null; then
  pass "a write with the bootstrap key: POST /v1/datapoints 201, read back ($id)"
else
  id=
  fail "a write with the bootstrap key: ${created:-no answer}"
fi

# The documented way to another key: the image's create-key command, in a one-off container.
ops_key=$(compose run --rm -T api create-key ops admin 2>>"$log" </dev/null | sed -n 's/^key:[[:space:]]*//p' || true)
if [[ -n $ops_key ]] && expect 200 -H "X-Api-Key: $ops_key" "$base/v1/keys" >/dev/null; then
  pass "compose run --rm api create-key ops admin: the printed key is accepted (GET /v1/keys)"
else
  fail "compose run --rm api create-key ops admin: ${ops_key:-no key printed}"
fi

# --- how the container runs -----------------------------------------------------------------

api=$(compose ps -q api)
uid=$(docker exec "$api" id -u 2>&1 || true)
if [[ $uid =~ ^[0-9]+$ && $uid != 0 ]]; then
  pass "the API runs as a user that is not root (uid $uid, $(docker exec "$api" id -un 2>/dev/null || echo '?'))"
else
  fail "the API runs as a user that is not root: id -u said $uid"
fi

# The manifests (deploy/k8s/deployment.yaml, and Compose after them) say: read-only root, /tmp writable.
readonly_root=$(docker inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$api")
if [[ $readonly_root == true ]] && ! docker exec "$api" touch /app/.write-probe 2>/dev/null &&
  docker exec "$api" touch /tmp/.write-probe; then
  pass "the root filesystem is read-only (a write to /app is refused) and /tmp is writable"
else
  fail "read-only root filesystem with a writable /tmp (ReadonlyRootfs=$readonly_root)"
fi

# Compose's healthcheck (curl on /health/ready, from the image): healthy within its first rounds.
health=
for ((i = 0; i < 60; i++)); do
  health=$(docker inspect --format '{{.State.Health.Status}}' "$api")
  [[ $health == starting ]] || break
  sleep 1
done
if [[ $health == healthy ]]; then
  pass "Compose's healthcheck (curl in the image) reports healthy"
else
  fail "Compose's healthcheck reports '$health'"
fi

# --- what survives --------------------------------------------------------------------------

# The stored datapoint and the demo band as they were: $1 names the step.
data_survived() {
  local answer
  [[ -n $id && -n $demo_n ]] || { fail "$1: nothing to compare (an earlier check failed)"; return; }
  if wait_for "$base/health/ready" 120 >/dev/null && admin 200 "$base/v1/datapoints/$id" >/dev/null &&
    answer=$(admin 200 "$base$band") && [[ $(jq '.cells[0].n' <<<"$answer") == "$demo_n" ]]; then
    pass "$1: the datapoint is there and the demo band still has n=$demo_n"
  else
    fail "$1: datapoint $id or the demo band (n=$demo_n) changed: ${answer:-no answer}"
  fi
}

compose restart api >>"$log" 2>&1 || true
data_survived "API container restarted"

# Both containers removed and made anew: only the named volume pgdata carries the data.
compose down >>"$log" 2>&1 || true
compose up -d >>"$log" 2>&1 || true
data_survived "stack down and up again (volume kept)"

summary
((failed == 0))
