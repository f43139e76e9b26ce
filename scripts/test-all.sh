#!/usr/bin/env bash
# `npm test`: every suite the repo has. Runs setup first (seconds when nothing changed),
# so it works on a fresh machine too. Exits non-zero if any suite fails, after running all.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT" || exit 1

scripts/setup.sh || die "setup failed; see the messages above"

failed=()
ran=0
run_suite() {
  local name="$1"; shift
  ran=$((ran + 1))
  log "suite: $name"
  if ! "$@"; then failed+=("$name"); fi
}

run_suite lint scripts/lint.sh
run_suite typescript npx --no-install vitest run
run_suite dags scripts/test-dags.sh
run_suite r scripts/test-r.sh
run_suite cloudformation scripts/lint-cloudformation.sh
run_suite ansible ansible/tests/run.sh

printf 'suites: %d passed, %d failed\n' $((ran - ${#failed[@]})) ${#failed[@]}
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed suites: %s\n' "${failed[*]}" >&2
  exit 1
fi
