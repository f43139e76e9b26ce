#!/usr/bin/env bash
# Creates the database that plays production on this machine, unless one built from the
# same schema, generator and scale is already there (its COMMENT holds that fingerprint).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$SHADOWOPS_ROOT/scripts/production"

scale="${SHADOWOPS_SCALE:-1}"
db="$SHADOWOPS_PRODUCTION_DB"
fingerprint="shadowops-production scale=$scale $(cat schema.sql generate_data.py | sha256sum | cut -c1-16)"

current="$(psql -d postgres -tAc "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$db'")"
if [ "$current" = "$fingerprint" ]; then
  log "production stand-in: $db is current ($fingerprint)"
  exit 0
fi

log "production stand-in: building $db (scale $scale)"
# Build under a temporary name and swap, so a failed build never leaves a half-loaded "production".
psql -q -d postgres -c "DROP DATABASE IF EXISTS ${db}_building WITH (FORCE)"
psql -q -d postgres -c "CREATE DATABASE ${db}_building"
psql -q -v ON_ERROR_STOP=1 -d "${db}_building" -f schema.sql
python3 generate_data.py --scale "$scale" | psql -q -v ON_ERROR_STOP=1 -d "${db}_building"
psql -q -d postgres -c "COMMENT ON DATABASE ${db}_building IS '$fingerprint'"
psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
psql -q -d postgres -c "ALTER DATABASE ${db}_building RENAME TO $db"
log "production stand-in: $db ready"
