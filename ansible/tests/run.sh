#!/usr/bin/env bash
# Tests of ansible/, each step timed:
#   1. ansible-lint at the production profile: 0 violations.
#   2. a syntax check of shadow-node.yml against the example inventory.
#   3. the local playbook (scripts/configure-host.sh) twice: the second run changes nothing.
#   4. the shadow-node roles that local.yml does not apply, in a scratch folder, against a
#      Secrets Manager served by moto: the node's virtualenv from python/shadow-node.lock, workload, Airflow files of a systemd host, warehouse
#      connection. Twice: the second run changes nothing. Then the files are checked, Airflow
#      parses the connection, and no secret appears in Ansible's output.
#   5. a warehouse secret that cannot be read: a clear error, still without the secret.
#   6. verify-full with a CA file that is missing or holds no certificate: a clear error.
#   ansible/tests/run.sh            everything
#   ansible/tests/run.sh --no-lint  skip step 1 (the slowest)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$SHADOWOPS_ROOT/ansible/env.sh"
cd "$SHADOWOPS_ROOT"

lint=true
[ "${1:-}" = "--no-lint" ] && lint=false

scratch="$SHADOWOPS_ANSIBLE_DIR/.tmp/test"
rm -rf "$scratch"
mkdir -p "$scratch"
moto_pid=""
cleanup() { if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# Runs a step, printing how long it took.
timed() {
  local name="$1"; shift
  local start=$SECONDS
  "$@"
  log "$name: $((SECONDS - start)) s"
}

# Fails unless the PLAY RECAP of the log in $1 shows changed=0, failed=0, unreachable=0 for
# every host; prints the recap.
assert_nothing_changed() {
  local recap
  recap="$(sed -n '/^PLAY RECAP/,$p' "$1" | grep -E '^[^ ].* : ok=')" \
    || die "no PLAY RECAP in $1"
  printf '%s\n' "$recap" >&2
  if printf '%s\n' "$recap" | grep -Ev 'changed=0 .*unreachable=0 .*failed=0 ' >/dev/null; then
    die "the second run changed something or failed (see $1)"
  fi
}

# Runs an ansible-playbook command twice, logging to $1-1.log and $1-2.log.
run_twice() {
  local log_base="$1"; shift
  local start=$SECONDS
  "$@" >"$log_base-1.log" 2>&1 || { tail -n 40 "$log_base-1.log" >&2; die "the first run failed"; }
  log "first run: $((SECONDS - start)) s (log: $log_base-1.log)"
  start=$SECONDS
  "$@" >"$log_base-2.log" 2>&1 || { tail -n 40 "$log_base-2.log" >&2; die "the second run failed"; }
  log "second run: $((SECONDS - start)) s (log: $log_base-2.log)"
  assert_nothing_changed "$log_base-2.log"
}

step_lint() {
  ansible_tool ansible-lint --profile production ansible/
}

# The node lock must pin exactly what the tests ran with: every pin in it is also in the repo's
# requirements.lock (scripts/lock-python.sh compiles it with that lock as constraints).
step_node_lock() {
  local strays
  strays="$(comm -23 <(grep -o '^[a-z0-9._-]*==[^ ]*' python/shadow-node.lock | sort) \
    <(grep -o '^[a-z0-9._-]*==[^ ]*' python/requirements.lock | sort))"
  [ -z "$strays" ] || die "python/shadow-node.lock pins what python/requirements.lock does not (run scripts/lock-python.sh): $strays"
}

step_syntax() {
  ansible_tool ansible-playbook --syntax-check \
    -i ansible/inventory/shadow.example.yml ansible/shadow-node.yml >/dev/null
}

step_local_playbook() {
  run_twice "$scratch/local" scripts/configure-host.sh
}

start_moto() {
  local port
  port="$("$SHADOWOPS_VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "$SHADOWOPS_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$scratch/moto.log" 2>&1 &
  moto_pid=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN
  for _ in $(seq 1 50); do
    curl -fsS "$AWS_ENDPOINT_URL/moto-api/" >/dev/null 2>&1 && return
    sleep 0.2
  done
  die "moto did not start; see $scratch/moto.log"
}

# The secrets' values: characters a URI must escape, so the test sees the escaping work.
export WAREHOUSE_PASSWORD='w@re/house:pw%1 x' AIRFLOW_PASSWORD='adm1n-S3cret!' LOCAL_PASSWORD='loc@l/pw'

step_roles() {
  start_moto
  commit="$(git rev-parse HEAD)"
  read -r warehouse_arn airflow_arn < <("$SHADOWOPS_VENV/bin/python" - <<'PY'
import json, os
import boto3
client = boto3.client("secretsmanager")
warehouse = client.create_secret(Name="shadow-test-warehouse", SecretString=json.dumps(
    {"username": "shadow_admin", "password": os.environ["WAREHOUSE_PASSWORD"], "engine": "redshift"}))
airflow = client.create_secret(Name="shadow-test-airflow", SecretString=json.dumps(
    {"username": "shadow", "password": os.environ["AIRFLOW_PASSWORD"]}))
print(warehouse["ARN"], airflow["ARN"])
PY
)
  [ -n "${airflow_arn:-}" ] || die "could not create the test secrets in moto"
  # A DAG file the workload does not have: the deployment must remove it.
  mkdir -p "$scratch/node/workload/dags"
  echo "# removed from the workload" >"$scratch/node/workload/dags/old_dag.py"
  run_twice "$scratch/roles" ansible_tool ansible-playbook -i ansible/inventory/local.yml \
    ansible/tests/roles-local.yml \
    -e "shadowops_test_scratch=$scratch" \
    -e "shadowops_test_commit=$commit" \
    -e "shadowops_test_warehouse_secret_arn=$warehouse_arn" \
    -e "shadowops_test_airflow_secret_arn=$airflow_arn" \
    -e "{\"shadowops_test_local_password\": \"$LOCAL_PASSWORD\"}"
  check_role_results
}

check_role_results() {
  local node="$scratch/node"
  [ "$(cat "$node/workload/VERSION")" = "$commit" ] || die "VERSION does not hold the commit"
  [ -f "$node/workload/dags/warehouse_metrics.py" ] || die "the DAG was not deployed"
  [ -f "$node/workload/r/lib/warehouse.R" ] || die "the R scripts were not deployed"
  [ -f "$node/workload/migrations/0001_create_analytics_schema.sql" ] || die "the migrations were not deployed"
  if [ -e "$node/workload/dags/tests" ] || [ -e "$node/workload/r/tests" ]; then die "tests were deployed"; fi
  [ ! -e "$node/workload/dags/old_dag.py" ] || die "a file the workload no longer has was left behind"
  for unit in api-server scheduler dag-processor triggerer db-migrate; do
    grep -q "^EnvironmentFile=$node/etc/airflow.env$" "$node/systemd/shadowops-airflow-$unit.service" \
      || die "unit shadowops-airflow-$unit.service is missing or has no env file"
  done
  for file in "$node/etc/airflow.env" "$node/etc/airflow-keys.json" "$node/airflow/passwords.json" "$scratch/local.env"; do
    [ "$(stat -c %a "$file")" = 600 ] || die "$file is not mode 0600"
  done
  # Airflow itself, from the node's virtualenv (python/shadow-node.lock), reads the connections
  # and the login the way the services will.
  local node_venv="$SHADOWOPS_ANSIBLE_DIR/.tmp/node-venv"
  [ -f "$node_venv/.shadowops-lock" ] || die "the node's virtualenv was not built from python/shadow-node.lock"
  "$node_venv/bin/python" - "$node" "$scratch/local.env" <<'PY'
import json, os, sys
from airflow.models.connection import Connection

def env_file(path):
    return dict(line.split("=", 1) for line in open(path).read().splitlines() if line and not line.startswith("#"))

node_env = env_file(f"{sys.argv[1]}/etc/airflow.env")
os.environ["AIRFLOW__CORE__FERNET_KEY"] = node_env["AIRFLOW__CORE__FERNET_KEY"]
conn = Connection(conn_id="shadow_warehouse", uri=node_env["AIRFLOW_CONN_SHADOW_WAREHOUSE"])
got = (conn.conn_type, conn.host, conn.port, conn.schema, conn.login, conn.password, conn.extra_dejson)
want = ("postgres", "shadow-test.abc123.us-east-1.redshift.amazonaws.com", 5439, "dev", "shadow_admin",
        os.environ["WAREHOUSE_PASSWORD"],
        {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/certs/ca-certificates.crt"})
assert got == want, f"AWS connection: {got[:5]} {got[6]}"
assert node_env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "shadow:admin", "admin user"
assert node_env["SHADOWOPS_TASK_RETRIES"] == "0", "extra env"
passwords = json.load(open(f"{sys.argv[1]}/airflow/passwords.json"))
assert passwords == {"shadow": os.environ["AIRFLOW_PASSWORD"]}, "admin password file"
local = Connection(conn_id="shadow_warehouse", uri=env_file(sys.argv[2])["AIRFLOW_CONN_SHADOW_WAREHOUSE"])
got = (local.host, local.port, local.schema, local.login, local.password, local.extra_dejson)
assert got == ("127.0.0.1", 5432, "shadowops_production", "shadowops", os.environ["LOCAL_PASSWORD"], {"sslmode": "prefer"}), "local connection"
PY
  log "roles: workload, units, env file, keys, admin login and both connections as expected"
  assert_no_secret_in "$scratch/roles-1.log" "$scratch/roles-2.log"
}

# Fails if a secret's value (or its URI-escaped form) shows in one of the given logs.
assert_no_secret_in() {
  local secret escaped
  for secret in "$WAREHOUSE_PASSWORD" "$AIRFLOW_PASSWORD"; do
    escaped="$("$SHADOWOPS_VENV/bin/python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$secret")"
    if grep -F -e "$secret" -e "$escaped" "$@" >/dev/null; then
      die "a secret shows in Ansible's output: $*"
    fi
  done
}

step_unreadable_secret() {
  local log_file="$scratch/unreadable-secret.log"
  local arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:no-such-secret"
  if ansible_tool ansible -i ansible/inventory/local.yml localhost \
    -m ansible.builtin.include_role -a name=shadowops_connections \
    -e "shadowops_connections_python=$SHADOWOPS_VENV/bin/python" \
    -e "shadowops_connections_env_file=$scratch/unreadable.env" \
    -e "shadowops_connections_warehouse_secret_arn=$arn" -e shadowops_connections_aws_region=us-east-1 \
    >"$log_file" 2>&1; then
    die "a warehouse secret that does not exist was not reported (see $log_file)"
  fi
  grep -q "reading the warehouse secret $arn: .*ResourceNotFoundException" "$log_file" \
    || { tail -n 20 "$log_file" >&2; die "the error does not say which secret could not be read, and why"; }
  [ ! -e "$scratch/unreadable.env" ] || die "an env file was written although the secret could not be read"
  log "an unreadable secret: $(grep -o 'reading the warehouse secret [^.]*' "$log_file" | head -n 1)"
}

# verify-full without a CA file that holds a certificate: the role stops before it writes the
# connection, and says which variable to set.
step_unusable_ca_file() {
  local not_pem="$scratch/not-a-certificate.crt" case ca_file want log_file
  echo "not a certificate" >"$not_pem"
  local variable=shadowops_connections_warehouse_sslrootcert
  for case in "$scratch/no-such-ca.crt|is $scratch/no-such-ca.crt, which cannot be read" \
    "$not_pem|is $not_pem, which holds no PEM certificate" \
    "|none is given: set $variable"; do
    ca_file="${case%%|*}" want="sslmode verify-full checks .*${case#*|}"
    log_file="$scratch/unusable-ca-$(basename "${ca_file:-empty}").log"
    if ansible_tool ansible -i ansible/inventory/local.yml localhost \
      -m ansible.builtin.include_role -a name=shadowops_connections \
      -e "shadowops_connections_python=$SHADOWOPS_VENV/bin/python" \
      -e "shadowops_connections_env_file=$scratch/unusable-ca.env" \
      -e shadowops_connections_warehouse_host=warehouse.example.com \
      -e shadowops_connections_warehouse_user=shadowops \
      -e shadowops_connections_warehouse_password=not-used \
      -e "$variable=$ca_file" \
      >"$log_file" 2>&1; then
      die "verify-full with the CA file '$ca_file' was not reported (see $log_file)"
    fi
    grep -q "$want" "$log_file" \
      || { tail -n 20 "$log_file" >&2; die "the error for the CA file '$ca_file' does not say: $want"; }
    [ ! -e "$scratch/unusable-ca.env" ] || die "an env file was written although the CA file '$ca_file' is unusable"
    log "an unusable CA file: $(grep -o 'sslmode verify-full checks [^"]*' "$log_file" | head -n 1)"
  done
}

if $lint; then timed "ansible-lint --profile production" step_lint; fi
timed "node lock agrees with the repo's lock" step_node_lock
timed "syntax check of shadow-node.yml" step_syntax
timed "local playbook, run twice" step_local_playbook
timed "shadow-node roles in a scratch folder, run twice" step_roles
timed "unreadable warehouse secret" step_unreadable_secret
timed "unusable CA file for verify-full" step_unusable_ca_file
log "ansible tests passed"
