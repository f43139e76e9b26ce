#!/usr/bin/env bash
# `npm run bench`: every benchmark; each prints its numbers. No thresholds here: targets
# are stated in README next to the last measured values.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

npm run --silent build
missed=()
for script in $(node -e 'for (const s of Object.keys(require("./package.json").scripts)) if (s.startsWith("bench:")) console.log(s)'); do
  log "$script"
  # A benchmark exits non-zero when it misses a target; run the others anyway.
  npm run --silent "$script" || missed+=("$script")
done
if [ ${#missed[@]} -gt 0 ]; then
  printf 'benchmarks that missed a target or failed: %s\n' "${missed[*]}" >&2
  exit 1
fi
