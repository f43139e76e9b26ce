import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { AwsFailureError, awsErrorName, toAwsError } from "./aws-errors.js";

/**
 * The image the host runs now. `extend` pins it (PinnedHostImageId), because the template's
 * HostImageId is an SSM parameter that CloudFormation resolves again on every update: after
 * Canonical publishes a newer Ubuntu image, an unpinned update would replace the configured host.
 */
export async function currentHostImage(ec2: EC2Client, instanceId: string, stackName: string): Promise<string> {
  let imageId: string | undefined;
  let state: string | undefined;
  try {
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
    imageId = instance?.ImageId;
    state = instance?.State?.Name;
  } catch (error) {
    if (awsErrorName(error) !== "InvalidInstanceID.NotFound") throw toAwsError(error, "DescribeInstances");
  }
  if (!imageId || state === "terminated" || state === "shutting-down") {
    throw new AwsFailureError(
      `the host ${instanceId} of stack ${stackName} is ${state ?? "gone"}, so there is no image to keep: ` +
        `re-create the environment (\`shadowops down\`, then \`up\`).`,
    );
  }
  return imageId;
}
