#!/usr/bin/env bash
# Batch ingest through the API against psql \copy of the same 50,000 rows into the same server,
# side by side with farm-bench (pairs A/B, ratio per pair).
#   API=http://127.0.0.1:8080 KEY=<ingest or admin key> PGCONN='host=127.0.0.1 port=55432 user=postgres dbname=comp' \
#     tests/perf/ingest-vs-copy.sh [rows]
# Each API run posts the rows with a new Idempotency-Key (so it stores them again) and each copy
# run copies them again; the rows added are deleted afterwards (source_note = 'ingest-bench').
set -euo pipefail
rows=${1:-50000}
: "${API:?set API}" "${KEY:?set KEY}" "${PGCONN:?set PGCONN}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$rows" "$work" <<'PY'
import json, sys, uuid, random
rows, work = int(sys.argv[1]), sys.argv[2]
random.seed(42)
roles = ["software-engineer", "ml-engineer", "data-scientist", "data-engineer", "research-scientist"]
with open(f"{work}/batch.json", "w") as j, open(f"{work}/rows.csv", "w") as c:
    out = []
    for i in range(rows):
        d = {"employer": f"bench-{i % 200}", "role": roles[i % 5], "level": f"L{1 + i % 8}", "region": "us-ca-sf-bay-area",
             "currency": "USD", "effectiveDate": f"2024-{1 + i % 12:02d}-01", "baseSalary": round(80000 + random.random() * 200000, 2),
             "targetBonus": round(random.random() * 30000, 2), "equityGrant": round(random.random() * 400000, 2),
             "source": "self_reported", "sourceNote": "ingest-bench"}
        out.append(d)
        c.write(f"{d['employer']},{d['role']},{d['level']},{d['region']},{d['currency']},{d['effectiveDate']},{d['baseSalary']},{d['targetBonus']},{d['equityGrant']}\n")
    json.dump(out, j)
PY

psql "$PGCONN" -qc "INSERT INTO employers (slug, name, created_at) SELECT 'bench-' || i, 'bench-' || i, now() FROM generate_series(0, 199) i ON CONFLICT DO NOTHING"
key_id=$(psql "$PGCONN" -qtAc "SELECT id FROM api_keys ORDER BY created_at LIMIT 1")
cat > "$work/api.sh" <<SH
#!/bin/sh
exec curl -sf -o /dev/null -X POST "$API/v1/datapoints/batch" -H "X-Api-Key: $KEY" -H "Idempotency-Key: \$(cat /proc/sys/kernel/random/uuid)" \
  -H 'Content-Type: application/json' --data-binary @"$work/batch.json"
SH
# \copy into a staging table, then the same insert the API's COPY ends in (employer ids resolved).
cat > "$work/copy.sh" <<SH
#!/bin/sh
exec psql "$PGCONN" -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE TEMP TABLE s (employer text, role text, level text, region text, currency char(3), effective_date date, base_salary numeric, target_bonus numeric, equity_grant numeric);
\copy s FROM '$work/rows.csv' WITH (FORMAT csv)
INSERT INTO datapoints (id, employer_id, role, level, level_mapped, region, currency, effective_date, base_salary, target_bonus, equity_grant,
  equity_vesting_years, retention_vesting_years, source, source_note, verified, created_at, api_key_id)
SELECT gen_random_uuid(), e.id, s.role, s.level, false, s.region, s.currency, s.effective_date, s.base_salary, s.target_bonus, s.equity_grant,
  4, 4, 'self_reported', 'ingest-bench', false, now(), '$key_id' FROM s JOIN employers e ON e.slug = s.employer;
SQL
SH
chmod +x "$work/api.sh" "$work/copy.sh"
farm-bench -n 5 --warmup 1 --timeout 600 --vs "$work/copy.sh" -- "$work/api.sh"
psql "$PGCONN" -qc "DELETE FROM datapoints WHERE source_note = 'ingest-bench'"
echo "rows per run: $rows"
