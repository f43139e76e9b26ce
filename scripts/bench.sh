#!/usr/bin/env bash
# `npm run bench`: every benchmark; each prints its numbers. No thresholds here: targets
# are stated in README next to the last measured values.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

npm run --silent build
for script in $(node -e 'for (const s of Object.keys(require("./package.json").scripts)) if (s.startsWith("bench:")) console.log(s)'); do
  log "$script"
  npm run --silent "$script"
done
