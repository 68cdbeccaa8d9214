#!/usr/bin/env bash
# Swagger UI in a real browser: opens it in Debian's headless Chromium, enters an API key, runs
# GET /v1/bands with "Try it out" and saves a screenshot. Needs node/npm and chromium (apt).
#   API=http://127.0.0.1:8080 KEY=<api key> deploy/local/swagger-ui-check.sh [screenshot.png]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
: "${API:?set API, e.g. http://127.0.0.1:8080}" "${KEY:?set KEY to an API key}"
out=${1:-$ROOT/.local/swagger-ui.png}
command -v chromium >/dev/null || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
mkdir -p "$ROOT/.local/ui"
cp "$HERE/ui/package.json" "$HERE/ui/swagger-ui.mjs" "$ROOT/.local/ui/"
(cd "$ROOT/.local/ui" && npm install --silent --no-audit --no-fund >/dev/null)
node "$ROOT/.local/ui/swagger-ui.mjs" "$API" "$KEY" "$out"
echo "screenshot: $out"
