#!/usr/bin/env bash
# The last word on the environment a shadow_test job used (runs with `when: always`). It stays
# up for the pull request (until its TTL, a merge, or /shadow destroy) only when
# keep_environment is true, the test ran to its end and the bot was told the result. Otherwise,
# and whenever an earlier step failed, it is destroyed here, and the bot is told. Telling it is
# retried for about a minute by default (through a restart of the bot: until it hears, the
# environment holds one of the repository's max_live_environments), but never fails the job:
# check_result gives the job its verdict.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _REGION, _COMMIT, _WORK_DIR, _CALLBACK_URL_ENV_VAR,
# _CALLBACK_SECRET_ENV_VAR; SHADOWOPS_BOOL_KEEP_ENVIRONMENT; SHADOWOPS_INT_CALLBACK_RETRIES.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

keep="${SHADOWOPS_BOOL_KEEP_ENVIRONMENT:-1}"
tell_destroyed() { notify_retries="${SHADOWOPS_INT_CALLBACK_RETRIES:-6}" notify --event destroyed --reason "$1"; }

if [ -z "$env_name" ] || [ ! -f "$work/environment" ]; then
  echo "no environment was provisioned: nothing to clean up"
  exit 0
fi

if ! is_true "$keep"; then
  why="keep_environment is false"
elif [ ! -f "$work/test-finished" ]; then
  why="the shadow test did not run to its end"
elif [ ! -f "$work/reported" ]; then
  why="the bot could not be told the result"
else
  expires="$(node -e '
    try {
      const status = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      process.stdout.write(status.expiresAt || "");
    } catch { /* no status */ }
  ' "$work/status.json" 2>/dev/null || true)"
  echo "keeping $env_name for the pull request${expires:+ until $expires} (TTL): /shadow destroy, a merge or its expiry removes it"
  exit 0
fi

echo "destroying $env_name: $why"
if ! shadowops status "${common[@]}" --json > /dev/null 2>&1; then
  echo "environment $env_name does not exist (any more): nothing to destroy"
  tell_destroyed "$why"
  exit 0
fi
notify --event phase --phase destroying --message "$why"
if ! shadowops down "${common[@]}"; then
  fail "could not destroy $env_name (see above): the reaper destroys it once its TTL has passed, or run: shadowops down --driver $driver --env $env_name"
fi
tell_destroyed "$why"
