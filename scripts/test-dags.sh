#!/usr/bin/env bash
# Runs the DAG tests: parse checks, then warehouse_metrics end to end with real
# Airflow and R against throw-away clones of the production stand-in (PG* variables,
# defaults from lib.sh). Extra arguments go to pytest, e.g. -k integrity.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

[ -x "$SHADOWOPS_VENV/bin/python" ] || die "no Python virtualenv at $SHADOWOPS_VENV; run scripts/setup.sh"

# No .pytest_cache in the repo; the tests write only to temporary directories.
exec "$SHADOWOPS_VENV/bin/python" -m pytest dags/tests -p no:cacheprovider "$@"
