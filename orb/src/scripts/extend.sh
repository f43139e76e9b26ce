#!/usr/bin/env bash
# Moves an aws environment's expiry (`shadowops extend --ttl`): the reaper destroys it once
# that time has passed. Inputs: SHADOWOPS_STR_ENVIRONMENT, _TTL, _REGION.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

env_name="${SHADOWOPS_STR_ENVIRONMENT:-}"
ttl="${SHADOWOPS_STR_TTL:-}"
region="${SHADOWOPS_STR_REGION:-}"

[ -n "$env_name" ] || fail "the environment parameter is empty: pass the environment id (the bot sends it as the pipeline parameter shadowops_environment)"
[ -n "$ttl" ] || fail "the ttl parameter is empty: pass the new time to live from now, e.g. 4h"

args=(extend --driver aws --env "$env_name" --ttl "$ttl")
[ -z "$region" ] || args+=(--region "$region")
shadowops "${args[@]}"
