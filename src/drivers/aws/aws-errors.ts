/**
 * What can go wrong with the aws driver, each with what to do about it. Two families, so the
 * CLI can map them to exit codes without knowing each one: input the user can fix before
 * anything is created (exit 2), and AWS refusing or failing (exit 3).
 */

/** Bad input, found before any resource was created (exit 2). */
export class AwsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** AWS refused, failed or could not be reached (exit 3). */
export class AwsFailureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidAllowedCidrError extends AwsInputError {
  constructor(readonly input: string, reason: string) {
    super(
      `"${input}" is not an IPv4 CIDR block (${reason}). The allow-list takes one range in CIDR notation, ` +
        `for example 203.0.113.0/24 for an office or 198.51.100.7/32 for one address: pass --allowed-cidr or set SHADOWOPS_ALLOWED_CIDR.`,
    );
  }
}

export class InvalidExpiresAtError extends AwsInputError {
  constructor(readonly input: string, where: string) {
    super(
      `${where}: "${input}" is not a time shadowops can read. Use an ISO 8601 UTC time such as 2026-11-28T18:00:00Z ` +
        `(or move it with \`shadowops extend --driver aws --env NAME --ttl 4h\`).`,
    );
  }
}

export class InvalidShadowMetadataError extends AwsInputError {}

export class MissingSettingError extends AwsInputError {}

export class InvalidSettingError extends AwsInputError {}

export class InvalidSnapshotSelectorError extends AwsInputError {
  constructor(readonly input: string) {
    super(`--snapshot "${input}" is neither latest, none nor a Redshift snapshot identifier (a letter, then letters, digits, hyphens or colons).`);
  }
}

export class SnapshotNotFoundError extends AwsInputError {
  constructor(readonly snapshot: string, readonly region: string) {
    super(
      `snapshot ${snapshot} was not found in ${region}. Snapshots are regional: pass --region with the region that holds it, ` +
        `copy it to ${region} (Redshift cross-region snapshot copy), or choose another with --snapshot latest|none|ID.`,
    );
  }
}

export class SnapshotNotAvailableError extends AwsInputError {
  constructor(readonly snapshot: string, readonly status: string) {
    super(`snapshot ${snapshot} is ${status}, not available: wait until it is, or choose another with --snapshot latest|none|ID.`);
  }
}

export class NoAvailableSnapshotError extends AwsInputError {
  constructor(readonly cluster: string, readonly region: string, unavailable: string[]) {
    super(
      `the production cluster ${cluster} has no available snapshot in ${region}` +
        (unavailable.length ? ` (not available yet: ${unavailable.join(", ")})` : "") +
        `. Check SHADOWOPS_PRODUCTION_CLUSTER and --region (snapshots are regional), take one with ` +
        `\`aws redshift create-cluster-snapshot --cluster-identifier ${cluster} --snapshot-identifier NAME\`, or start empty with --snapshot none.`,
    );
  }
}

export class UnknownPriceError extends AwsInputError {
  constructor(kind: "EC2 instance type" | "Redshift node type", readonly type: string, known: string[]) {
    super(
      `${kind} ${type} is not in shadowops' price table, so its cost cannot be estimated. ` +
        `Known: ${known.join(", ")}. Choose one of them, or add it to src/drivers/aws/cost-estimate.ts with its price.`,
    );
  }
}

export class TemplateNotFoundError extends AwsInputError {
  constructor(readonly path: string) {
    super(`the CloudFormation template ${path} does not exist: run from a shadowops checkout or set SHADOWOPS_TEMPLATE to the template's path.`);
  }
}

export class MissingCredentialsError extends AwsFailureError {
  constructor(detail: string) {
    super(
      `no AWS credentials found (${detail}). Set AWS_PROFILE (after \`aws sso login\` or \`aws configure\`), ` +
        `or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in CircleCI, use the orb's OIDC role step before shadowops.`,
    );
  }
}

export class ExpiredCredentialsError extends AwsFailureError {
  constructor(detail: string) {
    super(
      `the AWS credentials have expired (${detail}). Refresh them (\`aws sso login\`, or assume the role again) and run the command again; ` +
        `in CircleCI, re-run the job so it gets a new OIDC session.`,
    );
  }
}

export class InvalidCredentialsError extends AwsFailureError {
  constructor(detail: string) {
    super(`AWS did not accept the credentials (${detail}). Check AWS_PROFILE / AWS_ACCESS_KEY_ID, and that they belong to the account and region you mean.`);
  }
}

export class AccessDeniedError extends AwsFailureError {
  constructor(readonly action: string, detail: string) {
    super(
      `AWS denied ${action} (${detail}). The identity running shadowops needs the permissions of ` +
        `cloudformation/deployer-role.yaml (see README, "AWS driver").`,
    );
  }
}

export class ThrottledError extends AwsFailureError {
  constructor(readonly action: string, readonly attempts: number) {
    super(
      `AWS kept throttling ${action} (${attempts} attempt${attempts === 1 ? "" : "s"}, all answered "rate exceeded"). ` +
        `Other tools in the account are calling the same API: wait a minute and run the command again, or allow more retries with AWS_MAX_ATTEMPTS=10.`,
    );
  }
}

export class StackFailedError extends AwsFailureError {
  constructor(
    readonly stackName: string,
    readonly status: string,
    readonly reasons: string[],
    readonly leftovers: string[] = [],
  ) {
    super(
      `stack ${stackName} failed (${status})` +
        (reasons.length ? `:\n${reasons.map((reason) => `  - ${reason}`).join("\n")}` : " without saying why; see its events in the CloudFormation console") +
        (leftovers.length
          ? `\nLeft behind, delete these by hand:\n${leftovers.map((item) => `  - ${item}`).join("\n")}`
          : "\nThe stack was removed; nothing of it is left.") +
        `\nFix the cause above and run the command again.`,
    );
  }
}

export class StackStuckError extends AwsFailureError {
  constructor(
    readonly stackName: string,
    readonly status: string,
    readonly reasons: string[],
    advice: string,
  ) {
    super(
      `stack ${stackName} is stuck in ${status}` +
        (reasons.length ? `:\n${reasons.map((reason) => `  - ${reason}`).join("\n")}` : "") +
        `\n${advice}`,
    );
  }
}

export class StackTimeoutError extends AwsFailureError {
  constructor(readonly stackName: string, readonly status: string, minutes: number, advice: string) {
    super(`stack ${stackName} was still ${status} after ${minutes} minutes. ${advice}`);
  }
}

export class LeftoverResourcesError extends AwsFailureError {
  constructor(readonly environment: string, readonly leftovers: string[]) {
    super(
      `environment ${environment}: the stack is gone but these resources tagged shadowops:environment=${environment} remain:\n` +
        leftovers.map((item) => `  - ${item}`).join("\n") +
        `\nThey may still cost money. Delete them in the AWS console (or with the AWS CLI), then run ` +
        `\`shadowops down --driver aws --env ${environment}\` again to check that nothing is left.`,
    );
  }
}

export class ExtendWouldReplaceError extends AwsFailureError {
  constructor(readonly environment: string, readonly replaced: string[]) {
    super(
      `extending ${environment} would replace or remove ${replaced.join(", ")}, according to CloudFormation's change set, ` +
        `which would wipe what is configured there. Nothing was changed. Re-create the environment instead ` +
        `(\`shadowops down\` then \`up\`), or let it expire.`,
    );
  }
}

/** The generated password could not be given to a restored cluster: the shadow's warehouse would refuse its own login. */
export class WarehousePasswordError extends AwsFailureError {
  constructor(readonly clusterIdentifier: string, readonly step: string, cause: string) {
    super(
      `setting the generated admin password on the restored warehouse ${clusterIdentifier} failed at ${step}: ${cause}. ` +
        `A restored cluster keeps the snapshot's password, so neither the host nor the migrations could log in; ` +
        `the environment is torn down. Fix the cause (the deployer role needs redshift:ModifyCluster on shadowops-* clusters ` +
        `and secretsmanager:GetSecretValue on shadowops/* secrets) and run \`shadowops up\` again.`,
    );
  }
}

export class StackNotReadyError extends AwsFailureError {}

export class MissingStackOutputError extends AwsFailureError {
  constructor(readonly stackName: string, readonly missing: string[]) {
    super(
      `stack ${stackName} has no output ${missing.join(", ")}: it was created from another version of ` +
        `cloudformation/shadow-environment.yaml. Re-create the environment (\`shadowops down\`, then \`up\`).`,
    );
  }
}

export class HostConfigurationError extends AwsFailureError {
  constructor(readonly exitCode: number | null, readonly outputTail: string) {
    super(
      `configuring the host with Ansible failed (ansible-playbook exited with ${exitCode ?? "a signal"}):\n${outputTail}\n` +
        `Fix the cause and run the command again (the playbook only changes what differs).`,
    );
  }
}

export class WarehouseUnreachableError extends AwsFailureError {
  constructor(readonly address: string, detail: string) {
    super(
      `cannot reach the shadow warehouse at ${address} (${detail}). It accepts connections from the shadow host only: ` +
        `open a tunnel through the host (aws ssm start-session --target HOST_INSTANCE_ID --document-name ` +
        `AWS-StartPortForwardingSessionToRemoteHost --parameters host=ENDPOINT,portNumber=5439,localPortNumber=15439) ` +
        `and set SHADOWOPS_WAREHOUSE_ADDRESS=127.0.0.1:15439.`,
    );
  }
}

/** run-dag could not reach the host's Airflow: says how to get there from outside AllowedCidr. */
export class HostAirflowUnreachableError extends AwsFailureError {
  constructor(readonly url: string, detail: string, throughTunnel: boolean) {
    super(
      throughTunnel
        ? `cannot reach the shadow host's Airflow through the tunnel at ${url} (${detail}). ` +
            `Check that the port-forwarding session SHADOWOPS_AIRFLOW_ADDRESS points at is open.`
        : `cannot reach the shadow host's Airflow at ${url} (${detail}). Port 8080 is open to the stack's ` +
            `AllowedCidr only: from elsewhere, forward a port through the host (aws ssm start-session --target ` +
            `HOST_INSTANCE_ID --document-name AWS-StartPortForwardingSession --parameters ` +
            `portNumber=8080,localPortNumber=18080) and set SHADOWOPS_AIRFLOW_ADDRESS=127.0.0.1:18080.`,
    );
  }
}

const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"]);
const INVALID = new Set(["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure"]);
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"]);
// The names the SDK's retry strategy treats as throttling (@smithy service-error-classification),
// less LimitExceededException: from CloudFormation that is a quota (too many stacks), not a rate.
const THROTTLING = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Turns an AWS SDK error into one of the typed errors above when it is about credentials,
 * permissions or throttling; any other error is returned unchanged. `action` names the call
 * (e.g. "CreateStack") for the message.
 */
export function toAwsError(error: unknown, action: string): unknown {
  if (error instanceof AwsInputError || error instanceof AwsFailureError) return error;
  if (!error || typeof error !== "object") return error;
  const shape = error as SdkErrorShape;
  const name = shape.name ?? "";
  const detail = `${action}: ${name}${shape.message ? `: ${shape.message}` : ""}`;
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(shape.message ?? "")) {
    return new MissingCredentialsError(shape.message ?? name);
  }
  if (EXPIRED.has(name)) return new ExpiredCredentialsError(detail);
  if (INVALID.has(name)) return new InvalidCredentialsError(detail);
  if (DENIED.has(name)) return new AccessDeniedError(action, shape.message ?? name);
  if (THROTTLING.has(name) || shape.$metadata?.httpStatusCode === 429) {
    return new ThrottledError(action, shape.$metadata?.attempts ?? 1);
  }
  return error;
}

/** The name of an AWS error, for the few that the driver handles on purpose. */
export function awsErrorName(error: unknown): string | undefined {
  return error && typeof error === "object" ? (error as SdkErrorShape).name : undefined;
}

/** CloudFormation says "Stack with id X does not exist" as a ValidationError. */
export function isStackMissing(error: unknown): boolean {
  return awsErrorName(error) === "ValidationError" && /does not exist/i.test((error as Error).message ?? "");
}
