#!/usr/bin/env bash
# Puts the working tree at exactly the commit the bot asked for (pipeline parameter
# shadowops_commit), so a push after the `/shadow test` comment cannot change what is tested.
# Input: SHADOWOPS_STR_COMMIT (empty: test what was checked out).
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

commit="${SHADOWOPS_STR_COMMIT:-}"
if [ -z "$commit" ]; then
  echo "no commit given: testing the checked-out $(git rev-parse HEAD)"
  exit 0
fi
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || fail "commit must be a full 40-character lowercase SHA, got '$commit'"
if [ "$(git rev-parse HEAD)" = "$commit" ]; then
  echo "HEAD is $commit"
  exit 0
fi
git fetch --quiet origin "$commit" || fail "cannot fetch commit $commit from origin: was the pull request's branch force-pushed? Ask the bot again with /shadow test."
git checkout --quiet --detach "$commit"
echo "checked out $commit"
