# Shared shell helpers for the repo's scripts. Source it; do not run it.
# shellcheck shell=bash

# Where the repo is, whatever the caller's working directory.
SHADOWOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SHADOWOPS_ROOT

# libpq's own variables, so psql, R and Node agree (see src/warehouse/postgres-settings.ts).
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-shadowops}"
export PGPASSWORD="${PGPASSWORD:-shadowops}"
export SHADOWOPS_PRODUCTION_DB="${SHADOWOPS_PRODUCTION_DB:-shadowops_production}"
export SHADOWOPS_VENV="${SHADOWOPS_VENV:-$SHADOWOPS_ROOT/.venv}"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root (CI), with sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# A stamp file records the hash of what produced a step's result, so a second run can
# skip the step when nothing it depends on changed.
stamp_matches() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
