#!/usr/bin/env bash
# Destroys a shadow environment (`shadowops down`) and tells the bot it is gone, retrying for
# about a minute by default so that a restart of the bot does not leave it `destroying`. An
# environment that does not exist (any more) is not an error: destroying twice is harmless.
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _REGION, _COMMIT, _CALLBACK_URL_ENV_VAR,
# _CALLBACK_SECRET_ENV_VAR; SHADOWOPS_INT_CALLBACK_RETRIES.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

[ -n "$env_name" ] || fail "the environment parameter is empty: pass the environment id (the bot sends it as the pipeline parameter shadowops_environment)"

notify_args=(notify --env "$env_name")
[ -z "$commit" ] || notify_args+=(--commit "$commit")

if shadowops status "${common[@]}" --json > /dev/null 2>&1; then
  if [ -n "$SHADOWOPS_CALLBACK_URL" ]; then
    shadowops "${notify_args[@]}" --best-effort --retries 1 --event phase --phase destroying
  fi
  shadowops down "${common[@]}" || fail "could not destroy $env_name (see above): the reaper destroys it once its TTL has passed"
  reason="destroyed on request"
else
  echo "environment $env_name does not exist (any more): nothing to destroy"
  reason="there was nothing left to destroy"
fi

if [ -n "$SHADOWOPS_CALLBACK_URL" ]; then
  shadowops "${notify_args[@]}" --retries "${SHADOWOPS_INT_CALLBACK_RETRIES:-6}" --event destroyed --reason "$reason" \
    || fail "$env_name is destroyed, but the bot could not be told (see above)"
fi
