import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The callback protocol between the orb (or the CLI) and the bot:
 *
 *   POST /shadowops/callbacks
 *   content-type: application/json
 *   x-shadowops-timestamp: <unix seconds>
 *   x-shadowops-signature: v1=<hex HMAC-SHA256(SHADOWOPS_CALLBACK_SECRET, `${timestamp}.${rawBody}`)>
 *
 * A request more than five minutes away from the bot's clock, or whose event id or signature
 * was seen before, is rejected.
 */
export const CALLBACK_PATH = "/shadowops/callbacks";
export const TIMESTAMP_HEADER = "x-shadowops-timestamp";
export const SIGNATURE_HEADER = "x-shadowops-signature";
export const SIGNATURE_VERSION = "v1";
export const CALLBACK_WINDOW_SECONDS = 300;

export interface SignCallbackParams {
  secret: string;
  /** The exact bytes that will be sent as the body. */
  body: string;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

/** The headers that make `body` an acceptable callback (content-type included). */
export function signCallback({ secret, body, timestamp = Math.floor(Date.now() / 1_000) }: SignCallbackParams): Record<string, string> {
  if (secret === "") throw new Error("signCallback: the secret is empty");
  return {
    "content-type": "application/json",
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: `${SIGNATURE_VERSION}=${hmacHex(secret, `${timestamp}.${body}`)}`,
  };
}

export type CallbackVerdict =
  | { ok: true; signature: string }
  | { ok: false; reason: "missing-headers" | "bad-timestamp" | "stale" | "bad-signature" };

export interface VerifyCallbackParams {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  /** Unix seconds now. */
  nowSeconds: number;
}

/** Checks a callback's timestamp window and signature (timing-safe). */
export function verifyCallback({ secret, rawBody, timestamp, signature, nowSeconds }: VerifyCallbackParams): CallbackVerdict {
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: "missing-headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "bad-timestamp" };
  if (Math.abs(nowSeconds - Number(timestamp)) > CALLBACK_WINDOW_SECONDS) return { ok: false, reason: "stale" };
  const expected = hmacHex(secret, Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]));
  const matched = signatureValues(signature).find((value) => safeEqualHex(value, expected));
  return matched === undefined ? { ok: false, reason: "bad-signature" } : { ok: true, signature: matched };
}

/** CircleCI's outbound webhooks: `circleci-signature: v1=<hex HMAC-SHA256(secret, rawBody)>`. */
export function verifyCircleCiSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = hmacHex(secret, rawBody);
  return signatureValues(header).some((value) => safeEqualHex(value, expected));
}

/** The v1 values of a signature header ("v1=abc" or "v1=abc,v2=def"), lowercased. */
function signatureValues(header: string): string[] {
  return header
    .split(",")
    .map((part) => part.trim().split("="))
    .filter(([version, value]) => version === SIGNATURE_VERSION && value !== undefined)
    .map(([, value]) => (value ?? "").toLowerCase());
}

function hmacHex(secret: string, data: string | Buffer): string {
  return createHmac("sha256", secret).update(data).digest("hex");
}

function safeEqualHex(given: string, expected: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, "hex"), Buffer.from(expected, "hex"));
}
