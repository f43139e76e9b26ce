#!/usr/bin/env bash
# Lints and tests the CloudFormation templates in cloudformation/:
#   cfn-lint  both templates, no errors and no warnings (a warning that was reviewed and
#             accepted is silenced on its resource, with the reason, in Metadata cfn-lint);
#   checkov   no failed checks; every skip is a Metadata checkov.skip with its reason;
#   pytest    cloudformation/tests, against a moto server it starts on 127.0.0.1.
# Extra arguments go to pytest, e.g. -k deployer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SHADOWOPS_ROOT"

[ -x "$SHADOWOPS_VENV/bin/cfn-lint" ] || die "no cfn-lint in $SHADOWOPS_VENV; run scripts/setup.sh"

templates=(cloudformation/shadow-environment.yaml cloudformation/deployer-role.yaml)

log "lint: CloudFormation templates (cfn-lint)"
"$SHADOWOPS_VENV/bin/cfn-lint" --non-zero-exit-code warning -- "${templates[@]}" \
  || die "cfn-lint found errors or warnings in the templates (see above)"

# Without a Prisma Cloud API key checkov knows no severities, so any failed check fails the
# lint. With a key (BC_API_KEY), only HIGH and CRITICAL ones do. --skip-download keeps it
# offline: without it checkov tries to fetch guidelines and prints a network traceback.
log "lint: CloudFormation security checks (checkov)"
checkov_args=(-d cloudformation --framework cloudformation --compact --quiet)
if [ -n "${BC_API_KEY:-}" ]; then
  checkov_args+=(--hard-fail-on "HIGH,CRITICAL")
else
  checkov_args+=(--skip-download)
fi
"$SHADOWOPS_VENV/bin/checkov" "${checkov_args[@]}" \
  || die "checkov reports failed checks (see above): fix them, or skip one in the resource's Metadata with its reason"

log "test: CloudFormation templates in moto (pytest cloudformation/tests)"
"$SHADOWOPS_VENV/bin/python" -m pytest cloudformation/tests -p no:cacheprovider "$@"
