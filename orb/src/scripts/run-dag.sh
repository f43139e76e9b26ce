#!/usr/bin/env bash
# Runs the DAG in the environment whose migrations the migrate step applied (`shadowops run-dag`,
# with migrate's report folded in, so one report covers the whole test). Writes it to
# $WORK/report.json (and report.md) and marks $WORK/test-finished when the DAG ran to its end,
# passed or failed: a failed DAG does not fail this step, so the result is reported first
# (check_result fails the job afterwards). An error that stopped the run fails the step and is
# recorded for the report. Progress streams to the step's output as the DAG runs.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _DAG, _TIMEOUT, _REGION, _COMMIT, _WORK_DIR,
# _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

dag="${SHADOWOPS_STR_DAG:-}"
timeout="${SHADOWOPS_STR_TIMEOUT:-}"

require_environment
[ -s "$work/migrations.json" ] || fail "no migrations report in $work: run the migrate step before run_dag"

args=(run-dag "${common[@]}" --migrations "$work/migrations.json" --json --markdown "$work/report.md")
[ -z "$dag" ] || args+=(--dag "$dag")
[ -z "$timeout" ] || args+=(--timeout "$timeout")

notify --event phase --phase running --message "running DAG ${dag:-(the default)}"
echo "shadowops ${args[*]}"
rm -f "$work/report.json" "$work/report.md" "$work/test-finished"
# stdout is the report; stderr (progress) is shown as it comes and kept for the failure reason.
set +e
shadowops "${args[@]}" 2>&1 > "$work/report.json" | tee "$work/run.log"
status="${PIPESTATUS[0]}"
set -e

if { [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; } && [ -s "$work/report.json" ]; then
  touch "$work/test-finished"
  [ ! -f "$work/report.md" ] || cat "$work/report.md"
  if [ "$status" -eq 0 ]; then echo "the shadow test passed"; else echo "the shadow test FAILED: the report step tells the bot, check_result fails the job"; fi
  exit 0
fi
record_failure running "$work/run.log"
fail "shadowops run-dag stopped with exit $status: $(cat "$work/failure-reason")"
