#!/usr/bin/env bash
# Configures this machine with the Ansible roles that make an EC2 host a shadow node, so both
# get R and Airflow the same way: ansible/local.yml applies shadowops_r (R, DBI, RPostgreSQL,
# testthat, the PostgreSQL client) and shadowops_airflow (the Python virtualenv with Airflow 3
# synced from python/requirements.lock with uv; no services: the local driver starts Airflow).
# Idempotent: a second run changes nothing and takes a few seconds.
#   scripts/configure-host.sh             configure this machine
#   scripts/configure-host.sh --check     any ansible-playbook option is passed on
#   SHADOWOPS_VENV=/path scripts/configure-host.sh   the virtualenv somewhere else
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SHADOWOPS_ROOT/ansible/env.sh"
cd "$SHADOWOPS_ROOT"

extra_args=(-e "shadowops_local_venv=$SHADOWOPS_VENV")
if [ "$(id -u)" -ne 0 ]; then
  # Installing Debian packages needs root: the R play becomes root with sudo, the virtualenv
  # stays the user's. Ask for the sudo password only when sudo would need one.
  extra_args+=(-e shadowops_local_become=true)
  sudo -n true 2>/dev/null || extra_args+=(--ask-become-pass)
fi

log "host configuration: ansible/local.yml (R and the Airflow virtualenv $SHADOWOPS_VENV)"
ansible_tool ansible-playbook -i ansible/inventory/local.yml ansible/local.yml "${extra_args[@]}" "$@"
