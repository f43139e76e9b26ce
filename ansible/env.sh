# Ansible settings for running the repo's playbooks on this machine. Source it after
# scripts/lib.sh; do not run it.
# shellcheck shell=bash

SHADOWOPS_ANSIBLE_DIR="$SHADOWOPS_ROOT/ansible"
# Ansible reads ansible.cfg from the working directory only; name it so any directory works.
export ANSIBLE_CONFIG="$SHADOWOPS_ANSIBLE_DIR/ansible.cfg"
# Temporary files, ansible's home (collections, caches) and ansible-lint's cache stay in
# ansible/.tmp (ignored by git), not in the user's home.
export ANSIBLE_LOCAL_TEMP="$SHADOWOPS_ANSIBLE_DIR/.tmp/local"
# With the local connection the "remote" temporary folder is on this machine as well.
export ANSIBLE_REMOTE_TEMP="$SHADOWOPS_ANSIBLE_DIR/.tmp/remote"
export ANSIBLE_HOME="$SHADOWOPS_ANSIBLE_DIR/.tmp/home"
mkdir -p "$ANSIBLE_LOCAL_TEMP" "$ANSIBLE_REMOTE_TEMP" "$ANSIBLE_HOME"

# Runs an Ansible command (ansible-playbook, ansible-lint…): the one in the repo's virtualenv,
# or, on a machine that has no virtualenv yet, ansible-core at the lock's version through uv.
ansible_tool() {
  local tool="$1"; shift
  if [ -x "$SHADOWOPS_VENV/bin/$tool" ]; then
    PATH="$SHADOWOPS_VENV/bin:$PATH" "$SHADOWOPS_VENV/bin/$tool" "$@"
    return
  fi
  command -v uv >/dev/null 2>&1 \
    || die "$tool: no $SHADOWOPS_VENV/bin/$tool and no uv to fetch it; install uv (python3 -m pip install uv)"
  local package="ansible-core"
  [ "$tool" = "ansible-lint" ] && package="ansible-lint"
  local version
  version="$(sed -n "s/^$package==\([^ ]*\).*/\1/p" "$SHADOWOPS_ROOT/python/requirements.lock")"
  [ -n "$version" ] || die "$package is not pinned in python/requirements.lock"
  uv tool run --quiet --from "$package==$version" "$tool" "$@"
}
