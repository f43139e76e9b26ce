#!/usr/bin/env bash
# Writes the Ansible inventory of an aws environment (`shadowops inventory`, from the stack's
# outputs) to $WORK/inventory.yml and, when a playbook is given, runs it against the shadow host:
# the place for what a project adds on top of a shadow node (the node itself, R, Airflow and the
# PR's code, is configured by shadowops with the same inventory during provision and run_dag).
# Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _REGION, _ANSIBLE_PLAYBOOK, _COMMIT, _WORK_DIR,
# _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

driver="${SHADOWOPS_STR_DRIVER:-aws}"
env_name="${SHADOWOPS_STR_ENVIRONMENT:-}"
region="${SHADOWOPS_STR_REGION:-}"
playbook="${SHADOWOPS_STR_ANSIBLE_PLAYBOOK:-}"
commit="${SHADOWOPS_STR_COMMIT:-}"
work="${SHADOWOPS_STR_WORK_DIR:-/tmp/shadowops}"

[ -n "$env_name" ] || fail "the environment parameter is empty: pass the environment id (the bot sends it as the pipeline parameter shadowops_environment)"
mkdir -p "$work"

url_var="${SHADOWOPS_STR_CALLBACK_URL_ENV_VAR:-SHADOWOPS_CALLBACK_URL}"
secret_var="${SHADOWOPS_STR_CALLBACK_SECRET_ENV_VAR:-SHADOWOPS_CALLBACK_SECRET}"
export SHADOWOPS_CALLBACK_URL="${!url_var:-}"
export SHADOWOPS_CALLBACK_SECRET="${!secret_var:-}"

notify() {
  [ -n "$SHADOWOPS_CALLBACK_URL" ] || return 0
  local args=(notify --env "$env_name" --best-effort --retries 1 "$@")
  [ -z "$commit" ] || args+=(--commit "$commit")
  shadowops "${args[@]}"
}

if [ "$driver" != aws ]; then
  [ -z "$playbook" ] || fail "ansible_playbook needs the aws driver: a $driver environment has no host to configure"
  echo "the $driver driver deploys the project into the environment itself (provision, and run_dag for a re-test): nothing to configure"
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
