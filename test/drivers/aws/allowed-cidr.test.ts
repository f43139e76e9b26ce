import { describe, expect, it } from "vitest";
import { parseAllowedCidr } from "../../../src/drivers/aws/allowed-cidr.js";
import { InvalidAllowedCidrError } from "../../../src/drivers/aws/aws-errors.js";

describe("parseAllowedCidr", () => {
  it.each(["203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8", " 192.0.2.128/25 "])("accepts %j", (cidr) => {
    expect(parseAllowedCidr(cidr)).toBe(cidr.trim());
  });

  it.each([
    ["203.0.113.0", "expected four numbers"],
    ["203.0.113/24", "expected four numbers"],
    ["my office", "expected four numbers"],
    ["2001:db8::/32", "expected four numbers"],
    ["256.0.0.0/8", "each number must be 0 to 255"],
    ["10.0.0.0/33", "the prefix length must be 0 to 32"],
    ["010.0.0.0/8", "leading zero"],
    ["10.0.0.1/8", "did you mean 10.0.0.0/8 or 10.0.0.1/32?"],
    ["0.0.0.0/0", "whole internet"],
  ])("refuses %j (%s)", (cidr, reason) => {
    expect(() => parseAllowedCidr(cidr)).toThrow(InvalidAllowedCidrError);
    expect(() => parseAllowedCidr(cidr)).toThrow(reason);
  });

  it("says what a valid value looks like and where to set it", () => {
    expect(() => parseAllowedCidr("office")).toThrow(/for example 203\.0\.113\.0\/24.*--allowed-cidr or set SHADOWOPS_ALLOWED_CIDR/);
  });
});
