#!/usr/bin/env bash
# Installs everything ShadowOps needs on this machine and creates the production stand-in.
# Idempotent: each step checks what is there first, so a second run finishes in seconds.
#   scripts/setup.sh              everything
#   SHADOWOPS_SCALE=0.2 scripts/setup.sh   a smaller production stand-in
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

# R (with DBI, RPostgreSQL, testthat) and the Airflow virtualenv come from the Ansible roles
# that also configure a shadow node on EC2: scripts/configure-host.sh.
# openssl: the aws execution test makes a test CA and the warehouse stand-in's certificate.
APT_PACKAGES=(postgresql shellcheck openssl)
UV_VERSION="0.13.9"

install_debian_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages: present"
    return
  fi
  log "Debian packages: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_uv() {
  command -v uv >/dev/null 2>&1 && return
  log "uv: installing $UV_VERSION with pip"
  python3 -m pip install --quiet "uv==$UV_VERSION"
}

install_node_packages() {
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if stamp_matches node_modules/.shadowops-lock "$want"; then
    log "npm packages: up to date"
  else
    log "npm packages: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.shadowops-lock
  fi
  local sources
  sources="$(find src tsconfig.json tsconfig.build.json -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
  if stamp_matches dist/.shadowops-build "$sources"; then
    log "TypeScript: dist/ is current"
  else
    log "TypeScript: building dist/"
    rm -rf dist
    npm run --silent build
    echo "$sources" > dist/.shadowops-build
  fi
}

start_postgres() {
  if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    log "PostgreSQL: running"
  else
    log "PostgreSQL: starting"
    local cluster
    cluster="$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')"
    [ -n "$cluster" ] || die "no PostgreSQL cluster found; create one with: pg_createcluster 15 main"
    # shellcheck disable=SC2086 # "version name" is two arguments on purpose
    as_root pg_ctlcluster $cluster start
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
    pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL did not start; see /var/log/postgresql/"
  fi
  if ! psql -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    log "PostgreSQL: creating role $PGUSER"
    # As the postgres superuser over the local socket (peer authentication): without the
    # exported PGHOST, PGUSER and PGPASSWORD, which would make psql log in over TCP as the role
    # that does not exist yet.
    as_root runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE psql -q -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE \"$PGUSER\" LOGIN SUPERUSER PASSWORD '$PGPASSWORD'"
  fi
}

create_production_standin() {
  scripts/production/create-production.sh
}

install_debian_packages
install_uv
scripts/configure-host.sh
install_node_packages
start_postgres
create_production_standin
log "setup complete"
