-- Adds :rows synthetic datapoints (default 1,000,000) for measuring band latency at volume.
--   psql "$CONN" -v rows=1000000 -f tests/perf/synthetic-datapoints.sql
-- 2,000 employers, every seeded role, levels L1–L8, US states, California metros and a few
-- countries; log-normal-ish pay. Rows are recorded under a revoked "synthetic" key so they can
-- be removed with: DELETE FROM datapoints WHERE api_key_id = '00000000-0000-7000-8000-0000005e7e71';
\set ON_ERROR_STOP on
\if :{?rows}
\else
  \set rows 1000000
\endif

INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, revoked_at)
VALUES ('00000000-0000-7000-8000-0000005e7e71', 'synthetic', ARRAY['ingest'], decode(md5(random()::text) || md5(random()::text), 'hex'), now(), now())
ON CONFLICT (id) DO NOTHING;

INSERT INTO employers (slug, name, created_at)
SELECT 'synthetic-' || i, 'Synthetic ' || i, now() FROM generate_series(1, 2000) i
ON CONFLICT (slug) DO NOTHING;

CREATE TEMP TABLE synthetic_regions AS
SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM regions
WHERE code LIKE 'us-%' OR code IN ('gb-eng-london', 'fr-idf-paris', 'de-be-berlin', 'ca-on-toronto', 'in-ka-bangalore');
CREATE TEMP TABLE synthetic_roles AS SELECT slug, row_number() OVER (ORDER BY slug) - 1 AS i FROM roles;
CREATE TEMP TABLE synthetic_employers AS
SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM employers WHERE slug LIKE 'synthetic-%';

INSERT INTO datapoints (id, employer_id, role, level, region, currency, effective_date, base_salary, target_bonus,
                        sign_on_bonus, equity_grant, equity_vesting_years, retention_grant, retention_vesting_years,
                        source, verified, created_at, api_key_id)
SELECT gen_random_uuid(),
       e.id,
       r.slug,
       'L' || (1 + (g % 8)),
       reg.code,
       'USD',
       DATE '2021-01-01' + (g * 7919 % 1400)::int,
       round((60000 * exp(1.6 * ((g * 48271) % 10007) / 10007.0))::numeric, 2),
       CASE WHEN g % 3 <> 0 THEN round((5000 + (g * 131) % 40000)::numeric, 2) END,
       CASE WHEN g % 5 = 0 THEN round((10000 + (g * 17) % 50000)::numeric, 2) END,
       CASE WHEN g % 2 = 0 THEN round((40000 * exp(2.0 * ((g * 69621) % 10009) / 10009.0))::numeric, 2) END,
       4,
       CASE WHEN g % 11 = 0 THEN round((100000 + (g * 37) % 900000)::numeric, 2) END,
       4,
       (ARRAY['self_reported','offer_letter','employer_survey','aggregator'])[1 + g % 4],
       g % 7 = 0,
       now(),
       '00000000-0000-7000-8000-0000005e7e71'
FROM generate_series(1::bigint, :rows) g
JOIN synthetic_employers e ON e.i = (g * 2654435761 % 2000)
JOIN synthetic_roles r ON r.i = (g * 40503 % (SELECT count(*) FROM synthetic_roles))
JOIN synthetic_regions reg ON reg.i = (g * 97 % (SELECT count(*) FROM synthetic_regions));

ANALYZE datapoints;
