#!/usr/bin/env bash
# Destroys every aws shadow environment whose expiry has passed (`shadowops reap`), whether or
# not the bot is running. Inputs: SHADOWOPS_STR_REGION, SHADOWOPS_BOOL_DRY_RUN.
set -euo pipefail

is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }

region="${SHADOWOPS_STR_REGION:-}"
args=(reap --driver aws)
[ -z "$region" ] || args+=(--region "$region")
if is_true "${SHADOWOPS_BOOL_DRY_RUN:-0}"; then args+=(--dry-run); fi
shadowops "${args[@]}"
