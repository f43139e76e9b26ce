#!/usr/bin/env bash
# Assumes the ShadowOps deployer role with CircleCI's OIDC token (no static AWS keys anywhere):
# `aws sts assume-role-with-web-identity`, then the temporary credentials are exported to the
# job's later steps through $BASH_ENV. Without the aws CLI, the role and a token file are
# exported instead, and the AWS SDK inside shadowops assumes the role itself.
# Inputs: SHADOWOPS_STR_ROLE_ARN, SHADOWOPS_STR_ROLE_SESSION_NAME, SHADOWOPS_INT_SESSION_DURATION,
# SHADOWOPS_STR_REGION; CIRCLE_OIDC_TOKEN_V2 from CircleCI.
set -euo pipefail

fail() { printf 'shadowops orb: %s\n' "$*" >&2; exit 1; }

role_arn="${SHADOWOPS_STR_ROLE_ARN:-}"
session_name="${SHADOWOPS_STR_ROLE_SESSION_NAME:-}"
duration="${SHADOWOPS_INT_SESSION_DURATION:-3600}"
region="${SHADOWOPS_STR_REGION:-}"
[ -n "$session_name" ] || session_name="shadowops-${CIRCLE_BUILD_NUM:-job}"
session_name="${session_name//[^A-Za-z0-9+=,.@_-]/-}"

[ -n "$role_arn" ] || fail "the role_arn parameter is empty: set it to the ARN of the ShadowOps deployer role (cloudformation/deployer-role.yaml creates it)"
[[ "$role_arn" =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/ ]] || fail "role_arn is not an IAM role ARN: '$role_arn'"
if [ -z "${CIRCLE_OIDC_TOKEN_V2:-}" ]; then
  fail "CIRCLE_OIDC_TOKEN_V2 is not set, so the AWS role cannot be assumed: run this job on CircleCI cloud in a context (jobs of forked pull requests get no OIDC token). ShadowOps never uses static AWS keys."
fi
[ -n "${BASH_ENV:-}" ] || fail "BASH_ENV is not set: the credentials could not reach the next steps"

token_dir="$(mktemp -d)"
token_file="$token_dir/circleci-oidc-token"
(umask 077 && printf '%s' "$CIRCLE_OIDC_TOKEN_V2" > "$token_file")

if [ -n "$region" ]; then
  printf 'export AWS_REGION="%s" AWS_DEFAULT_REGION="%s"\n' "$region" "$region" >> "$BASH_ENV"
fi

if ! command -v aws >/dev/null 2>&1; then
  printf 'export AWS_ROLE_ARN="%s" AWS_WEB_IDENTITY_TOKEN_FILE="%s" AWS_ROLE_SESSION_NAME="%s"\n' \
    "$role_arn" "$token_file" "$session_name" >> "$BASH_ENV"
  echo "no aws CLI here: shadowops will assume $role_arn itself with the OIDC token (session $session_name)"
  exit 0
fi

args=(sts assume-role-with-web-identity
  --role-arn "$role_arn"
  --role-session-name "$session_name"
  --web-identity-token "file://$token_file"
  --duration-seconds "$duration"
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken,Expiration]'
  --output text)
[ -z "$region" ] || args+=(--region "$region")
if ! credentials="$(aws "${args[@]}")"; then
  fail "AWS refused to let this job assume $role_arn (see the aws error above): check the role's trust policy (CircleCI organization and project ids) and that the OIDC provider exists in the account"
fi
read -r key_id secret_key session_token expiration < <(printf '%s\n' "$credentials")
[ -n "${session_token:-}" ] || fail "aws sts assume-role-with-web-identity returned no credentials"
printf 'export AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" AWS_SESSION_TOKEN="%s"\n' \
  "$key_id" "$secret_key" "$session_token" >> "$BASH_ENV"
rm -rf "$token_dir"
echo "assumed $role_arn as session $session_name until $expiration"
