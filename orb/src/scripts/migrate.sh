#!/usr/bin/env bash
# Applies the project's pending migrations in the environment provision created or reused
# (`shadowops migrate`); a reused environment gets the pull request's code first, one that
# provision has just created already has it (--no-deploy). Writes the report to
# $WORK/migrations.json for run_dag. A failed migration fails this step, so the DAG does not run;
# its report becomes the test's report ($WORK/report.json, test-finished) for the report step.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _PROJECT_DIR, _REGION, _COMMIT, _WORK_DIR,
# _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

project="${SHADOWOPS_STR_PROJECT_DIR:-.}"

require_environment
[ -f "$work/environment" ] || fail "no environment was provisioned in this job: run the provision step before migrate"

args=(migrate "${common[@]}" --project "$project" --json --markdown "$work/report.md")
[ -f "$work/reused" ] || args+=(--no-deploy)

notify --event phase --phase migrating --message "applying the migrations"
echo "shadowops ${args[*]}"
rm -f "$work/migrations.json" "$work/report.json" "$work/report.md" "$work/test-finished"
set +e
shadowops "${args[@]}" 2>&1 > "$work/migrations.json" | tee "$work/migrate.log"
status="${PIPESTATUS[0]}"
set -e

if [ "$status" -eq 0 ] && [ -s "$work/migrations.json" ]; then
  notify --event migrations --report "$work/migrations.json"
  echo "the migrations are in"
  exit 0
fi
if [ "$status" -eq 1 ] && [ -s "$work/migrations.json" ]; then
  cp "$work/migrations.json" "$work/report.json"
  touch "$work/test-finished"
  [ ! -f "$work/report.md" ] || cat "$work/report.md"
  fail "a migration FAILED, so the DAG is not run: the report step tells the bot, clean_up decides what happens to the environment"
fi
record_failure migrating "$work/migrate.log"
fail "shadowops migrate stopped with exit $status: $(cat "$work/failure-reason")"
