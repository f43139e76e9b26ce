#!/usr/bin/env bash
# Creates the shadow environment with `shadowops up` (the driver copies production, starts
# Airflow and deploys the project's DAGs, R scripts and migrations), or reuses the live
# environment of the same name for a re-test. Tells the bot: phase provisioning, then ready
# with the Airflow URL. Leaves $WORK/environment (and $WORK/reused) for the later steps.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _PROJECT_DIR, _TTL, _SNAPSHOT, _REGION,
# _ALLOWED_CIDR, _REPOSITORY, _COMMIT, _WORK_DIR, _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR;
# SHADOWOPS_INT_PULL_REQUEST.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

project="${SHADOWOPS_STR_PROJECT_DIR:-.}"
ttl="${SHADOWOPS_STR_TTL:-}"
snapshot="${SHADOWOPS_STR_SNAPSHOT:-}"
allowed_cidr="${SHADOWOPS_STR_ALLOWED_CIDR:-}"
repository="${SHADOWOPS_STR_REPOSITORY:-}"
pull_request="${SHADOWOPS_INT_PULL_REQUEST:-0}"

require_environment
rm -f "$work/reused"
printf '%s\n' "$env_name" > "$work/environment"
if shadowops status "${common[@]}" --json > "$work/status.json" 2> "$work/status.log"; then
  state="$(json_field "$work/status.json" state)"
  touch "$work/reused"
  echo "environment $env_name is live ($state): reusing it; migrate redeploys the code"
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
