#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d): creates
# Grafana's login role and nothing more. What it may read is granted by the collector after every
# migration (WATTPRINT_READER_ROLE=grafana_reader): SELECT on the tables without secrets, never on
# agents (their HMAC keys) or api_tokens; agents_public is the agents without their keys.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE wattprint TO grafana_reader;
-- the panels' SQL is priced in millions of rows the planner cannot see, which makes PostgreSQL JIT-compile
-- it: 1.7 s of a 2.7 s 1-day panel at 1,000 GPUs x a year (docs/scale.md). The collector's reads are planned
-- with their real bounds, so their JIT is left to PostgreSQL's own cost thresholds.
ALTER ROLE grafana_reader SET jit = off;
SQL
