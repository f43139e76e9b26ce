import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { EC2Client } from "@aws-sdk/client-ec2";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsClients } from "./aws-driver.js";

/**
 * The clients with the SDK's standard configuration: credentials from the default chain
 * (environment, AWS_PROFILE, SSO, web identity in CircleCI), retries per AWS_MAX_ATTEMPTS and
 * AWS_RETRY_MODE, and endpoints per AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> (which is how
 * the tests point them at the emulator).
 */
export function createAwsClients(config: { region: string }): AwsClients {
  return {
    cloudFormation: new CloudFormationClient(config),
    redshift: new RedshiftClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    ec2: new EC2Client(config),
    secretsManager: new SecretsManagerClient(config),
  };
}
