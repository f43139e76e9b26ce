#!/usr/bin/env bash
# Applies the project's migrations and runs the DAG in the environment provision created, with
# `shadowops test --keep` (one CLI process: a reused environment gets the new code first, and
# the DAG only starts once the migrations are in). Writes the report to $WORK/report.json (and
# report.md) and marks $WORK/test-finished when the test ran to its end, passed or failed: a
# failed DAG does not fail this step, so the result is reported first (check_result fails the
# job afterwards). An error that stopped the test fails the step and is recorded for the report.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _PROJECT_DIR, _DAG, _TIMEOUT, _REGION, _COMMIT,
# _WORK_DIR, _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

driver="${SHADOWOPS_STR_DRIVER:-aws}"
env_name="${SHADOWOPS_STR_ENVIRONMENT:-}"
project="${SHADOWOPS_STR_PROJECT_DIR:-.}"
dag="${SHADOWOPS_STR_DAG:-}"
timeout="${SHADOWOPS_STR_TIMEOUT:-}"
region="${SHADOWOPS_STR_REGION:-}"
commit="${SHADOWOPS_STR_COMMIT:-}"
work="${SHADOWOPS_STR_WORK_DIR:-/tmp/shadowops}"

[ -n "$env_name" ] || fail "the environment parameter is empty: pass the environment id (the bot sends it as the pipeline parameter shadowops_environment)"
mkdir -p "$work"

url_var="${SHADOWOPS_STR_CALLBACK_URL_ENV_VAR:-SHADOWOPS_CALLBACK_URL}"
secret_var="${SHADOWOPS_STR_CALLBACK_SECRET_ENV_VAR:-SHADOWOPS_CALLBACK_SECRET}"
export SHADOWOPS_CALLBACK_URL="${!url_var:-}"
export SHADOWOPS_CALLBACK_SECRET="${!secret_var:-}"

notify() {
  [ -n "$SHADOWOPS_CALLBACK_URL" ] || return 0
  local args=(notify --env "$env_name" --best-effort --retries 1 "$@")
  [ -z "$commit" ] || args+=(--commit "$commit")
  shadowops "${args[@]}"
}

record_failure() {
  if [ -f "$work/failure-reason" ]; then return 0; fi
  local reason
  reason="$(awk '/^shadowops: /{n=NR} {line[NR]=$0} END{if(n) for(i=n;i<=NR&&i<n+20;i++) print line[i]}' "$2" | sed '1s/^shadowops: //')"
  [ -n "$reason" ] || reason="$(grep -v '^[[:space:]]*$' "$2" | tail -n 1 || true)"
  printf '%s\n' "$1" > "$work/failure-phase"
  printf '%s\n' "${reason:-shadowops test failed}" > "$work/failure-reason"
}

args=(test --driver "$driver" --env "$env_name" --project "$project" --keep --json --markdown "$work/report.md")
[ -z "$dag" ] || args+=(--dag "$dag")
[ -z "$timeout" ] || args+=(--timeout "$timeout")
[ "$driver" != aws ] || [ -z "$region" ] || args+=(--region "$region")

notify --event phase --phase migrating --message "applying migrations, then running DAG ${dag:-(the default)}"
echo "shadowops ${args[*]}"
rm -f "$work/report.json" "$work/report.md" "$work/test-finished"
set +e
shadowops "${args[@]}" > "$work/report.json" 2> "$work/run.log"
status=$?
set -e
cat "$work/run.log" >&2

if { [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; } && [ -s "$work/report.json" ]; then
  touch "$work/test-finished"
  [ ! -f "$work/report.md" ] || cat "$work/report.md"
  if [ "$status" -eq 0 ]; then echo "the shadow test passed"; else echo "the shadow test FAILED: the report step tells the bot, check_result fails the job"; fi
  exit 0
fi
record_failure running "$work/run.log"
fail "shadowops test stopped with exit $status: $(cat "$work/failure-reason")"
