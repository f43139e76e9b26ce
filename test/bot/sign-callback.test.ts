import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signCallback, verifyCallback, verifyCircleCiSignature } from "../../src/bot/callbacks/sign-callback.js";

const secret = "s3cret";
const body = JSON.stringify({ id: "evt-00000001", type: "phase", environment: "acme-pr-1", phase: "provisioning" });
const now = 1_736_846_400;

function verify(headers: Record<string, string | undefined>, rawBody = body, nowSeconds = now) {
  return verifyCallback({
    secret,
    rawBody: Buffer.from(rawBody),
    timestamp: headers["x-shadowops-timestamp"],
    signature: headers["x-shadowops-signature"],
    nowSeconds,
  });
}

describe("callback signatures", () => {
  it("signs HMAC-SHA256 over `${timestamp}.${body}` as v1=<hex>", () => {
    const headers = signCallback({ secret, body, timestamp: now });
    const expected = createHmac("sha256", secret).update(`${now}.${body}`).digest("hex");
    expect(headers).toEqual({ "content-type": "application/json", "x-shadowops-timestamp": String(now), "x-shadowops-signature": `v1=${expected}` });
    expect(verify(headers)).toEqual({ ok: true, signature: expected });
  });

  it.each([
    ["a changed body", (h: Record<string, string>) => h, body.replace("provisioning", "running"), now, "bad-signature"],
    ["another secret", () => signCallback({ secret: "other", body, timestamp: now }), body, now, "bad-signature"],
    ["a changed timestamp", (h: Record<string, string>) => ({ ...h, "x-shadowops-timestamp": String(now + 1) }), body, now, "bad-signature"],
    ["a timestamp 5 minutes and 1 second old", (h: Record<string, string>) => h, body, now + 301, "stale"],
    ["a timestamp from the future", (h: Record<string, string>) => h, body, now - 301, "stale"],
    ["no signature", (h: Record<string, string>) => ({ ...h, "x-shadowops-signature": undefined }), body, now, "missing-headers"],
    ["a timestamp that is not a number", (h: Record<string, string>) => ({ ...h, "x-shadowops-timestamp": "soon" }), body, now, "bad-timestamp"],
    ["a short signature", (h: Record<string, string>) => ({ ...h, "x-shadowops-signature": "v1=abcd" }), body, now, "bad-signature"],
    ["another version", (h: Record<string, string>) => ({ ...h, "x-shadowops-signature": h["x-shadowops-signature"]!.replace("v1=", "v0=") }), body, now, "bad-signature"],
  ] as const)("rejects %s", (_, change, rawBody, nowSeconds, reason) => {
    const headers = change(signCallback({ secret, body, timestamp: now }) as Record<string, string>) as Record<string, string | undefined>;
    expect(verify(headers, rawBody, nowSeconds)).toEqual({ ok: false, reason });
  });

  it("accepts the edges of the 5-minute window", () => {
    const headers = signCallback({ secret, body, timestamp: now });
    expect(verify(headers, body, now + 300).ok).toBe(true);
    expect(verify(headers, body, now - 300).ok).toBe(true);
  });

  it("verifies CircleCI's circleci-signature over the raw body", () => {
    const raw = Buffer.from('{"id":"w-1","type":"workflow-completed"}');
    const hex = createHmac("sha256", secret).update(raw).digest("hex");
    expect(verifyCircleCiSignature(secret, raw, `v1=${hex}`)).toBe(true);
    expect(verifyCircleCiSignature(secret, raw, `v1=${"0".repeat(64)},v1=${hex}`)).toBe(true);
    expect(verifyCircleCiSignature(secret, raw, `v1=${"0".repeat(64)}`)).toBe(false);
    expect(verifyCircleCiSignature(secret, raw, undefined)).toBe(false);
  });
});
