#!/usr/bin/env bash
# Runs the R task library's testthat suite against the local PostgreSQL (PG* variables,
# defaults from lib.sh). The suite creates and drops its own scratch database.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

exec Rscript -e 'testthat::test_dir("r/tests/testthat", stop_on_failure = TRUE)'
