#!/usr/bin/env bash
# Installs the shadowops CLI at a pinned version with npm, unless that exact version is already
# on PATH, and writes the helpers the other steps source (helpers.sh, which the orb carries in
# SHADOWOPS_ORB_HELPERS_SH) to a file of this job, exported as SHADOWOPS_ORB_HELPERS.
# Inputs: SHADOWOPS_STR_VERSION, SHADOWOPS_STR_PACKAGE, SHADOWOPS_BOOL_ANSIBLE, SHADOWOPS_ORB_HELPERS_SH.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }
is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }

[ -n "${SHADOWOPS_ORB_HELPERS_SH:-}" ] || fail "SHADOWOPS_ORB_HELPERS_SH is empty: this orb was not packed with its helpers (pack it with circleci orb pack or npm run orb:pack)"
[ -n "${BASH_ENV:-}" ] || fail "BASH_ENV is not set: the later steps could not find the helpers"
helpers_dir="$(mktemp -d "${TMPDIR:-/tmp}/shadowops-orb.XXXXXX")"
printf '%s\n' "$SHADOWOPS_ORB_HELPERS_SH" > "$helpers_dir/helpers.sh"
echo "export SHADOWOPS_ORB_HELPERS=\"$helpers_dir/helpers.sh\"" >> "$BASH_ENV"

version="${SHADOWOPS_STR_VERSION:-}"
package="${SHADOWOPS_STR_PACKAGE:-shadowops}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
  || fail "version must be an exact version such as 0.1.0 (the orb pins the CLI), got '$version'"

# The version of the package whose bin/shadowops.js the `shadowops` on PATH points at.
installed_version() {
  local bin
  bin="$(command -v shadowops)" || return 1
  node -e '
    const fs = require("fs"), path = require("path");
    const root = path.dirname(path.dirname(fs.realpathSync(process.argv[1])));
    process.stdout.write(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version);
  ' "$bin"
}

if current="$(installed_version 2>/dev/null)" && [ "$current" = "$version" ]; then
  echo "shadowops $version is installed: $(command -v shadowops)"
else
  command -v npm >/dev/null 2>&1 || fail "npm is needed to install shadowops: use an executor with Node.js 20 or later (the orb's default executor has it)"
  prefix="${HOME}/.shadowops-cli"
  npm install --global --prefix "$prefix" --no-audit --no-fund "${package}@${version}"
  if [ -n "${BASH_ENV:-}" ]; then
    echo "export PATH=\"$prefix/bin:\$PATH\"" >> "$BASH_ENV"
  fi
  export PATH="$prefix/bin:$PATH"
  current="$(installed_version)" || fail "npm installed ${package}@${version} but shadowops is not on PATH"
  [ "$current" = "$version" ] || fail "npm installed shadowops $current, not $version"
  echo "installed shadowops $version"
fi

if is_true "${SHADOWOPS_BOOL_ANSIBLE:-0}"; then
  if command -v ansible-playbook >/dev/null 2>&1; then
    echo "ansible-playbook is installed: $(command -v ansible-playbook)"
  else
    command -v pip3 >/dev/null 2>&1 || fail "Ansible is needed for the aws driver and pip3 is missing: use an executor with Python 3 (the orb's default executor has it)"
    pip3 install --user --quiet 'ansible-core>=2.17,<2.19'
    if [ -n "${BASH_ENV:-}" ]; then
      echo "export PATH=\"$HOME/.local/bin:\$PATH\"" >> "$BASH_ENV"
    fi
    echo "installed ansible-core"
  fi
fi
