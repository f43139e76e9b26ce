#!/usr/bin/env bash
# Writes the Ansible inventory of an aws environment (`shadowops inventory`, from the stack's
# outputs) to $WORK/inventory.yml and, when a playbook is given, runs it against the shadow host:
# the place for what a project adds on top of a shadow node (the node itself, R, Airflow and the
# PR's code, is configured by shadowops with the same inventory during provision, and migrate for a re-test).
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _REGION, _ANSIBLE_PLAYBOOK, _COMMIT, _WORK_DIR,
# _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR.
set -euo pipefail
# shellcheck source=helpers.sh
. "${SHADOWOPS_ORB_HELPERS:?is not set: run the shadowops/install command earlier in this job, it writes the helpers every step uses}"

playbook="${SHADOWOPS_STR_ANSIBLE_PLAYBOOK:-}"

require_environment

if [ "$driver" != aws ]; then
  [ -z "$playbook" ] || fail "ansible_playbook needs the aws driver: a $driver environment has no host to configure"
  echo "the $driver driver deploys the project into the environment itself (provision, and migrate for a re-test): nothing to configure"
  exit 0
fi

args=(inventory --driver aws --env "$env_name")
[ -z "$region" ] || args+=(--region "$region")
(umask 077 && shadowops "${args[@]}" > "$work/inventory.yml")
echo "inventory of $env_name written to $work/inventory.yml"

if [ -n "$playbook" ]; then
  [ -f "$playbook" ] || fail "ansible_playbook $playbook does not exist (paths are relative to the job's working directory)"
  command -v ansible-playbook >/dev/null 2>&1 || fail "ansible-playbook is not installed: use the install command with ansible: true"
  notify --event phase --phase configuring --message "running $playbook"
  ansible-playbook -i "$work/inventory.yml" "$playbook"
fi
