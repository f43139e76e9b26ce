import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "probot";
import type { BotStore } from "../store/bot-store.js";
import type { CallbackOutcome } from "../runner/apply-callback-event.js";
import { callbackEventSchema, type CallbackEvent } from "./callback-event.js";
import { pathOf, sendJson } from "./http-reply.js";
import { BodyTooLargeError, readRawBody } from "./read-raw-body.js";
import { CALLBACK_PATH, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCallback } from "./sign-callback.js";

/** Largest callback body: a DAG report with many tasks and log tails. */
export const MAX_CALLBACK_BYTES = 10 * 1024 * 1024;

export interface CallbackRouteParams {
  /** SHADOWOPS_CALLBACK_SECRET; empty turns callbacks off (503). */
  secret: string;
  store: BotStore;
  log: Logger;
  /** Epoch milliseconds. */
  now: () => number;
  apply: (event: CallbackEvent) => Promise<CallbackOutcome>;
}

/**
 * `POST /shadowops/callbacks` for Probot's addHandler. In order: size, signature and time
 * window (401), JSON and schema (400), replay of the event id or the signature (409), then the
 * event is applied: 200 applied, 202 ignored (an older commit), 404 unknown environment. Nothing
 * reaches GitHub before the signature and the replay check pass.
 */
export function createCallbackRoute({ secret, store, log, now, apply }: CallbackRouteParams) {
  return async function callbackRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (pathOf(req.url) !== CALLBACK_PATH) return false;
    if (req.method !== "POST") return sendJson(res, 405, { error: "use POST" });
    if (secret === "") return sendJson(res, 503, { error: "callbacks are off: SHADOWOPS_CALLBACK_SECRET is not set" });

    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(req, MAX_CALLBACK_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
      throw error;
    }
    const verdict = verifyCallback({
      secret,
      rawBody,
      timestamp: header(req, TIMESTAMP_HEADER),
      signature: header(req, SIGNATURE_HEADER),
      nowSeconds: Math.floor(now() / 1_000),
    });
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason }, "callback rejected");
      return sendJson(res, 401, { error: `callback rejected: ${verdict.reason}` });
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return sendJson(res, 400, { error: "the body is not JSON" });
    }
    const parsed = callbackEventSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 20).map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
      return sendJson(res, 400, { error: "invalid callback", problems });
    }
    const event = parsed.data;

    const eventKey = `callback:${event.id}`;
    const signatureKey = `callback-signature:${verdict.signature}`;
    if (!store.claimDelivery(eventKey)) return sendJson(res, 409, { error: "replayed callback: this event id was handled before" });
    if (!store.claimDelivery(signatureKey, { done: true })) {
      store.releaseDelivery(eventKey);
      return sendJson(res, 409, { error: "replayed callback: this signature was seen before" });
    }
    try {
      const outcome = await apply(event);
      if (outcome.status === "unknown-environment") {
        store.releaseDelivery(eventKey);
        return sendJson(res, 404, { error: `no environment ${event.environment}` });
      }
      store.completeDelivery(eventKey);
      if (outcome.status === "ignored") return sendJson(res, 202, { status: "ignored", reason: outcome.reason });
      return sendJson(res, 200, { status: "applied", environment: outcome.environment });
    } catch (error) {
      // Let the pipeline retry with the same event id (and a fresh signature).
      store.releaseDelivery(eventKey);
      log.error({ err: error, event: event.id, type: event.type }, "callback failed");
      return sendJson(res, 500, { error: "the callback could not be applied; retry" });
    }
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
