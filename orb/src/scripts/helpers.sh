# shellcheck shell=bash
# What every step of a shadow job reads and does the same way; each step script sources this.
# The install step writes it to a file of the job and exports its path as SHADOWOPS_ORB_HELPERS
# (the orb carries it inlined in install's environment, so it is one source and not a copy per
# script). Inputs: SHADOWOPS_STR_DRIVER, _ENVIRONMENT, _REGION, _COMMIT, _WORK_DIR,
# _CALLBACK_URL_ENV_VAR, _CALLBACK_SECRET_ENV_VAR, each empty or unset when its parameter is.

# The scripts that source this use these; shellcheck cannot see that from here.
# shellcheck disable=SC2034
{
  driver="${SHADOWOPS_STR_DRIVER:-aws}"
  env_name="${SHADOWOPS_STR_ENVIRONMENT:-}"
  region="${SHADOWOPS_STR_REGION:-}"
  commit="${SHADOWOPS_STR_COMMIT:-}"
  work="${SHADOWOPS_STR_WORK_DIR:-/tmp/shadowops}"
  url_var="${SHADOWOPS_STR_CALLBACK_URL_ENV_VAR:-SHADOWOPS_CALLBACK_URL}"
  secret_var="${SHADOWOPS_STR_CALLBACK_SECRET_ENV_VAR:-SHADOWOPS_CALLBACK_SECRET}"
  # The CLI reads the bot's URL and secret from these names only; the orb's parameters name
  # the variables that hold them, so a value never appears in the config or a command line.
  export SHADOWOPS_CALLBACK_URL="${!url_var:-}"
  export SHADOWOPS_CALLBACK_SECRET="${!secret_var:-}"
  # The options every command about this environment takes.
  common=(--driver "$driver" --env "$env_name")
  [ "$driver" != aws ] || [ -z "$region" ] || common+=(--region "$region")
}

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }
is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }

require_environment() {
  [ -n "$env_name" ] || fail "the environment parameter is empty: pass the environment id (the bot sends it as the pipeline parameter shadowops_environment)"
  mkdir -p "$work"
}

# Progress for the bot: a failed delivery is a warning here; the report step insists. One retry
# unless the caller sets notify_retries for a callback the bot must not miss.
notify() {
  [ -n "$SHADOWOPS_CALLBACK_URL" ] || return 0
  local args=(notify --env "$env_name" --best-effort --retries "${notify_retries:-1}" "$@")
  [ -z "$commit" ] || args+=(--commit "$commit")
  shadowops "${args[@]}"
}

# The value at a dotted path of a JSON file, or nothing.
json_field() {
  node -e '
    const data = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const value = process.argv[2].split(".").reduce((at, key) => (at == null ? undefined : at[key]), data);
    if (value !== undefined && value !== null) process.stdout.write(String(value));
  ' "$1" "$2"
}

# Keeps why a step failed (phase $1, log $2), for the report step: the CLI's own message
# ("shadowops: …" and the lines after it, at most 20), else the log's last line. The first
# failure wins, since later ones are usually its consequences.
record_failure() {
  if [ -f "$work/failure-reason" ]; then return 0; fi
  local reason
  reason="$(awk '/^shadowops: /{n=NR} {line[NR]=$0} END{if(n) for(i=n;i<=NR&&i<n+20;i++) print line[i]}' "$2" | sed '1s/^shadowops: //')"
  [ -n "$reason" ] || reason="$(grep -v '^[[:space:]]*$' "$2" | tail -n 1 || true)"
  printf '%s\n' "$1" > "$work/failure-phase"
  printf '%s\n' "${reason:-the $1 step failed}" > "$work/failure-reason"
}
