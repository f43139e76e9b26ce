#!/usr/bin/env bash
# Fails the job when the shadow test failed, after the report went to the bot, so CircleCI
# shows the same verdict as the pull request's check. Input: SHADOWOPS_STR_WORK_DIR.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

work="${SHADOWOPS_STR_WORK_DIR:-/tmp/shadowops}"
if [ ! -f "$work/test-finished" ] || [ ! -s "$work/report.json" ]; then
  fail "no shadow test report in $work: run_dag did not finish"
fi
verdict="$(node -e '
  const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.stdout.write(report.outcome === "passed" ? "passed" : "failed: " + (report.failure || "see the report above"));
' "$work/report.json")"
[ "$verdict" = passed ] || fail "the shadow test $verdict"
echo "the shadow test passed"
