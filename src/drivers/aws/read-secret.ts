import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AwsFailureError, toAwsError } from "./aws-errors.js";

/** A login the template generated into Secrets Manager: {"username", "password"}. */
export interface SecretLogin {
  username: string;
  password: string;
}

export type ReadLogin = (secretArn: string) => Promise<SecretLogin>;

/** Reads a generated login from Secrets Manager. The value is returned, never logged. */
export function secretsManagerLogin(client: SecretsManagerClient): ReadLogin {
  return async (secretArn) => {
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw toAwsError(error, "GetSecretValue");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? "");
    } catch {
      parsed = undefined;
    }
    const login = parsed as Partial<SecretLogin> | undefined;
    if (!login || typeof login.username !== "string" || typeof login.password !== "string") {
      // The ARN is not secret; the value is never repeated.
      throw new AwsFailureError(`secret ${secretArn} does not hold {"username", "password"}: it was not made by the shadow template`);
    }
    return { username: login.username, password: login.password };
  };
}
