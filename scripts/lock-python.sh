#!/usr/bin/env bash
# Pins the Python dependencies: python/requirements.lock (this machine: Airflow, the test
# tools, linters and the AWS emulator) and python/shadow-node.lock (an EC2 shadow node: only
# what it runs), compiled with the first as constraints so both pin the same versions.
#   scripts/lock-python.sh              re-pin within the ranges of the .in files
#   scripts/lock-python.sh --upgrade    move everything to the newest allowed versions
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

uv pip compile --quiet --python-version 3.11 "$@" \
  python/requirements.in -o python/requirements.lock
uv pip compile --quiet --python-version 3.11 \
  python/shadow-node.in -c python/requirements.lock -o python/shadow-node.lock
log "pinned: python/requirements.lock, python/shadow-node.lock"
