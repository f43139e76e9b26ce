import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  ExpiredCredentialsError,
  InvalidCredentialsError,
  MissingCredentialsError,
  ThrottledError,
  toAwsError,
} from "../../../src/drivers/aws/aws-errors.js";

const sdkError = (name: string, message = "", extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

describe("toAwsError", () => {
  it.each([
    [sdkError("CredentialsProviderError", "Could not load credentials from any providers"), MissingCredentialsError],
    [sdkError("ExpiredToken", "The security token included in the request is expired"), ExpiredCredentialsError],
    [sdkError("ExpiredTokenException", "expired"), ExpiredCredentialsError],
    [sdkError("InvalidClientTokenId", "The security token included in the request is invalid."), InvalidCredentialsError],
    [sdkError("AccessDenied", "User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cloudformation:CreateStack"), AccessDeniedError],
    [sdkError("Throttling", "Rate exceeded", { $metadata: { attempts: 3 } }), ThrottledError],
    [sdkError("TooManyRequestsException", "slow down", { $metadata: { httpStatusCode: 429 } }), ThrottledError],
  ])("turns %s into a typed error", (error, type) => {
    expect(toAwsError(error, "CreateStack")).toBeInstanceOf(type);
  });

  it("keeps what it does not know, and CloudFormation's quota error is not throttling", () => {
    const quota = sdkError("LimitExceededException", "Limit for stacks exceeded");
    expect(toAwsError(quota, "CreateStack")).toBe(quota);
    const other = sdkError("ValidationError", "Template format error");
    expect(toAwsError(other, "CreateStack")).toBe(other);
  });

  it("says what to do", () => {
    expect((toAwsError(sdkError("Throttling", "", { $metadata: { attempts: 5 } }), "DescribeStacks") as Error).message).toBe(
      'AWS kept throttling DescribeStacks (5 attempts, all answered "rate exceeded"). Other tools in the account are calling the same API: ' +
        "wait a minute and run the command again, or allow more retries with AWS_MAX_ATTEMPTS=10.",
    );
    expect((toAwsError(sdkError("AccessDenied", "not authorized"), "DeleteStack") as Error).message).toMatch(
      /AWS denied DeleteStack \(not authorized\)\. .*cloudformation\/deployer-role\.yaml/,
    );
  });
});
