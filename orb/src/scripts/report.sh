#!/usr/bin/env bash
# Tells the bot how the shadow test ended, whatever happened before (the step runs with
# `when: always`, so the pull request never waits for an answer that will not come): the
# report as a dag_result event when the test ran to its end, else a failed event with the
# reason an earlier step recorded. Delivery is retried with backoff for about a minute by
# default, so that a restart of the bot does not fail the test; when the bot cannot be reached,
# the step fails naming the URL and clean_up tears the environment down.
# Inputs: SHADOWOPS_STR_ENVIRONMENT, _REPOSITORY, _COMMIT, _WORK_DIR, _CALLBACK_URL_ENV_VAR,
# _CALLBACK_SECRET_ENV_VAR; SHADOWOPS_INT_CALLBACK_RETRIES.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

repository="${SHADOWOPS_STR_REPOSITORY:-}"

if [ -z "$env_name" ]; then
  echo "nothing to report: the environment parameter is empty (see the first failed step)"
  exit 0
fi
mkdir -p "$work"

if [ -z "$SHADOWOPS_CALLBACK_URL" ]; then
  echo "no callback URL in \$$url_var: the result is in this job's output only"
  touch "$work/reported"
  exit 0
fi
[ -n "$SHADOWOPS_CALLBACK_SECRET" ] || fail "\$$secret_var is empty: callbacks are signed with the secret the bot holds (put it in the job's context)"

args=(notify --env "$env_name" --retries "${SHADOWOPS_INT_CALLBACK_RETRIES:-6}")
[ -z "$commit" ] || args+=(--commit "$commit")
if [ -f "$work/test-finished" ]; then
  [ -z "$repository" ] || args+=(--repository "$repository")
  args+=(--event dag_result --report "$work/report.json")
else
  phase="$(cat "$work/failure-phase" 2>/dev/null || true)"
  reason="$(cat "$work/failure-reason" 2>/dev/null || true)"
  if [ -z "$reason" ]; then
    if [ -f "$work/environment" ]; then phase="${phase:-running}"; else phase="${phase:-provisioning}"; fi
    reason="the job stopped before the shadow test finished: see the failed step"
  fi
  [ -z "${CIRCLE_BUILD_URL:-}" ] || reason="$reason (CircleCI job: $CIRCLE_BUILD_URL)"
  args+=(--event failed --phase "$phase" --reason "$reason")
fi

if ! shadowops "${args[@]}"; then
  fail "the bot was not told how the shadow test of $env_name ended (see above); clean_up tears the environment down so nothing is left running unseen"
fi
touch "$work/reported"
