#!/usr/bin/env bash
# Creates the shadow environment with `shadowops up` (the driver copies production, starts
# Airflow and deploys the project's DAGs, R scripts and migrations), or reuses the live
# environment of the same name for a re-test. Tells the bot: phase provisioning, then ready
# with the Airflow URL. Leaves $WORK/environment (and $WORK/reused) for the later steps.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _PROJECT_DIR, _TTL, _SNAPSHOT, _REGION,
# _ALLOWED_CIDR, _REPOSITORY, _COMMIT, _WORK_DIR, _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR;
# SHADOWOPS_INT_PULL_REQUEST.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

driver="${SHADOWOPS_STR_DRIVER:-aws}"
env_name="${SHADOWOPS_STR_ENVIRONMENT:-}"
project="${SHADOWOPS_STR_PROJECT_DIR:-.}"
ttl="${SHADOWOPS_STR_TTL:-}"
snapshot="${SHADOWOPS_STR_SNAPSHOT:-}"
region="${SHADOWOPS_STR_REGION:-}"
allowed_cidr="${SHADOWOPS_STR_ALLOWED_CIDR:-}"
repository="${SHADOWOPS_STR_REPOSITORY:-}"
pull_request="${SHADOWOPS_INT_PULL_REQUEST:-0}"
commit="${SHADOWOPS_STR_COMMIT:-}"
work="${SHADOWOPS_STR_WORK_DIR:-/tmp/shadowops}"

[ -n "$env_name" ] || fail "the environment parameter is empty: pass the environment id (the bot sends it as the pipeline parameter shadowops_environment)"
mkdir -p "$work"

url_var="${SHADOWOPS_STR_CALLBACK_URL_ENV_VAR:-SHADOWOPS_CALLBACK_URL}"
secret_var="${SHADOWOPS_STR_CALLBACK_SECRET_ENV_VAR:-SHADOWOPS_CALLBACK_SECRET}"
export SHADOWOPS_CALLBACK_URL="${!url_var:-}"
export SHADOWOPS_CALLBACK_SECRET="${!secret_var:-}"

# Progress for the bot: a failed delivery is a warning here; the report step insists.
notify() {
  [ -n "$SHADOWOPS_CALLBACK_URL" ] || return 0
  local args=(notify --env "$env_name" --best-effort --retries 1 "$@")
  [ -z "$commit" ] || args+=(--commit "$commit")
  shadowops "${args[@]}"
}

# The value at a dotted path of a JSON file, or nothing.
json_field() {
  node -e '
    const data = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const value = process.argv[2].split(".").reduce((at, key) => (at == null ? undefined : at[key]), data);
    if (value !== undefined && value !== null) process.stdout.write(String(value));
  ' "$1" "$2"
}

# Why a step failed, for the report: the CLI's own message ("shadowops: …" and the lines after it,
# at most 20), else the last line.
record_failure() {
  if [ -f "$work/failure-reason" ]; then return 0; fi
  local reason
  reason="$(awk '/^shadowops: /{n=NR} {line[NR]=$0} END{if(n) for(i=n;i<=NR&&i<n+20;i++) print line[i]}' "$2" | sed '1s/^shadowops: //')"
  [ -n "$reason" ] || reason="$(grep -v '^[[:space:]]*$' "$2" | tail -n 1 || true)"
  printf '%s\n' "$1" > "$work/failure-phase"
  printf '%s\n' "${reason:-shadowops up failed}" > "$work/failure-reason"
}

common=(--driver "$driver" --env "$env_name")
[ "$driver" != aws ] || [ -z "$region" ] || common+=(--region "$region")

printf '%s\n' "$env_name" > "$work/environment"
if shadowops status "${common[@]}" --json > "$work/status.json" 2> "$work/status.log"; then
  state="$(json_field "$work/status.json" state)"
  touch "$work/reused"
  echo "environment $env_name is live ($state): reusing it; run_dag redeploys the code"
  notify --event phase --phase provisioning --message "reusing the live environment"
  if [ "$driver" = aws ] && [ -n "$ttl" ]; then
    shadowops extend --driver aws --env "$env_name" --ttl "$ttl" ${region:+--region "$region"}
  fi
else
  notify --event phase --phase provisioning --message "creating the environment"
  args=(up "${common[@]}" --project "$project")
  [ -z "$ttl" ] || args+=(--ttl "$ttl")
  if [ "$driver" = aws ]; then
    [ -z "$snapshot" ] || args+=(--snapshot "$snapshot")
    [ -z "$allowed_cidr" ] || args+=(--allowed-cidr "$allowed_cidr")
    [ -z "$repository" ] || args+=(--repository "$repository")
    [ "$pull_request" = 0 ] || args+=(--pull-request "$pull_request")
    [ -z "$commit" ] || args+=(--commit "$commit")
  fi
  echo "shadowops ${args[*]}"
  set +e
  shadowops "${args[@]}" 2>&1 | tee "$work/provision.log"
  status="${PIPESTATUS[0]}"
  set -e
  if [ "$status" -ne 0 ]; then
    record_failure provisioning "$work/provision.log"
    fail "shadowops up failed (exit $status): $(cat "$work/failure-reason")"
  fi
  shadowops status "${common[@]}" --json > "$work/status.json"
fi

airflow_url="$(json_field "$work/status.json" airflowUrl)"
cost="$(json_field "$work/status.json" cost.hourlyUsd)"
if [ -z "$airflow_url" ]; then
  echo "warning: shadowops status shows no Airflow URL for $env_name"
else
  echo "Airflow: $airflow_url"
  ready=(--event ready --airflow-url "$airflow_url")
  [ -z "$cost" ] || ready+=(--cost-per-hour "$cost")
  notify "${ready[@]}"
fi
