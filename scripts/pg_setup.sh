#!/usr/bin/env bash
# Create the two PostgreSQL roles and the database (idempotent).
#   egl_owner: owns the tables, runs migrations (DATABASE_OWNER_URL); may create the test database.
#   egl_app:   what the application connects as (DATABASE_URL): not superuser, not BYPASSRLS,
#              owns nothing, so row-level security always binds it.
# Connects as the cluster's superuser through PGHOST/PGUSER (default 127.0.0.1, postgres).
set -euo pipefail
: "${PGHOST:=127.0.0.1}" "${PGUSER:=postgres}" "${EGL_DB_NAME:=egl}"
: "${EGL_OWNER_PASSWORD:=egl-owner-dev}" "${EGL_APP_PASSWORD:=egl-app-dev}"
export PGHOST PGUSER
psql -v ON_ERROR_STOP=1 -q -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'egl_owner') THEN
    CREATE ROLE egl_owner LOGIN CREATEDB PASSWORD '${EGL_OWNER_PASSWORD}';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'egl_app') THEN
    CREATE ROLE egl_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${EGL_APP_PASSWORD}';
  END IF;
END
\$\$;
ALTER ROLE egl_app NOSUPERUSER NOBYPASSRLS;
SQL
if ! psql -tAc "SELECT 1 FROM pg_database WHERE datname = '${EGL_DB_NAME}'" -d postgres | grep -q 1; then
  psql -q -d postgres -c "CREATE DATABASE ${EGL_DB_NAME} OWNER egl_owner"
fi
psql -q -d "${EGL_DB_NAME}" -c "ALTER SCHEMA public OWNER TO egl_owner" >/dev/null
echo "DATABASE_URL=postgres://egl_app:${EGL_APP_PASSWORD}@${PGHOST}:5432/${EGL_DB_NAME}"
echo "DATABASE_OWNER_URL=postgres://egl_owner:${EGL_OWNER_PASSWORD}@${PGHOST}:5432/${EGL_DB_NAME}"
