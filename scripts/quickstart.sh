#!/usr/bin/env bash
# README's first command: set this machine up (idempotent), then run a local shadow test of
# the reference workload and print its report. Extra arguments go to `shadowops test`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

scripts/setup.sh
exec node bin/shadowops.js test --project "$SHADOWOPS_ROOT" "$@"
