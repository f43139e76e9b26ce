#!/usr/bin/env bash
# The linters the repo adopts; each must pass for `npm test` to pass.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

log "lint: TypeScript (tsc --noEmit, strict)"
npx --no-install tsc --noEmit

log "lint: shell scripts (shellcheck)"
mapfile -t shell_files < <(git ls-files --cached --others --exclude-standard '*.sh' .ci/run)
shellcheck -x "${shell_files[@]}"

log "lint: Python (ruff)"
"$SHADOWOPS_VENV/bin/ruff" check dags scripts python cloudformation
