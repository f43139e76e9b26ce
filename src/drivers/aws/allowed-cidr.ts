import { InvalidAllowedCidrError } from "./aws-errors.js";

/**
 * The one IPv4 range that may reach Airflow (and SSH): checked here, before any AWS call, with
 * the same rules as the template's AllowedPattern plus one CloudFormation would not catch: host
 * bits set (10.0.0.1/8 is almost always a typo for 10.0.0.0/8 or 10.0.0.1/32).
 */
export function parseAllowedCidr(input: string): string {
  const text = input.trim();
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) throw new InvalidAllowedCidrError(input, "expected four numbers separated by dots, a slash and a prefix length");
  const octets = match.slice(1, 5).map((part) => Number(part));
  const prefix = Number(match[5]);
  if (match.slice(1, 5).some((part) => part.length > 1 && part.startsWith("0"))) {
    throw new InvalidAllowedCidrError(input, "a number has a leading zero");
  }
  if (octets.some((octet) => octet > 255)) throw new InvalidAllowedCidrError(input, "each number must be 0 to 255");
  if (prefix > 32) throw new InvalidAllowedCidrError(input, "the prefix length must be 0 to 32");
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const network = address - (address % size);
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    throw new InvalidAllowedCidrError(input, `host bits are set: did you mean ${dotted}/${prefix} or ${octets.join(".")}/32?`);
  }
  if (prefix === 0) throw new InvalidAllowedCidrError(input, "0.0.0.0/0 would open Airflow to the whole internet");
  return text;
}
