import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "probot";
import type { WorkflowOutcome } from "../runner/apply-circleci-workflow.js";
import type { BotStore } from "../store/bot-store.js";
import { circleCiWebhookSchema, type CircleCiWebhook } from "./callback-event.js";
import { pathOf, sendJson } from "./http-reply.js";
import { BodyTooLargeError, readRawBody } from "./read-raw-body.js";
import { verifyCircleCiSignature } from "./sign-callback.js";

/** Where CircleCI's project webhook (event: workflow-completed) points. */
export const CIRCLECI_WEBHOOK_PATH = "/shadowops/circleci-webhooks";
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface CircleCiWebhookRouteParams {
  /** The webhook's secret as set in CircleCI (CIRCLECI_WEBHOOK_SECRET); empty turns the route off. */
  secret: string;
  store: BotStore;
  log: Logger;
  apply: (webhook: CircleCiWebhook) => Promise<WorkflowOutcome>;
}

/**
 * `POST /shadowops/circleci-webhooks`: CircleCI's outbound webhook, verified with its
 * `circleci-signature: v1=<hex HMAC-SHA256 of the body>` header and deduplicated on the
 * payload id (CircleCI retries on anything but 2xx).
 */
export function createCircleCiWebhookRoute({ secret, store, log, apply }: CircleCiWebhookRouteParams) {
  return async function circleCiWebhookRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (pathOf(req.url) !== CIRCLECI_WEBHOOK_PATH) return false;
    if (req.method !== "POST") return sendJson(res, 405, { error: "use POST" });
    if (secret === "") return sendJson(res, 503, { error: "CircleCI webhooks are off: CIRCLECI_WEBHOOK_SECRET is not set" });
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(req, MAX_WEBHOOK_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
      throw error;
    }
    const signature = req.headers["circleci-signature"];
    if (!verifyCircleCiSignature(secret, rawBody, Array.isArray(signature) ? signature[0] : signature)) {
      log.warn("CircleCI webhook with a bad signature rejected");
      return sendJson(res, 401, { error: "bad circleci-signature" });
    }
    let parsed;
    try {
      parsed = circleCiWebhookSchema.safeParse(JSON.parse(rawBody.toString("utf8")));
    } catch {
      return sendJson(res, 400, { error: "the body is not JSON" });
    }
    if (!parsed.success) return sendJson(res, 400, { error: "not a CircleCI webhook" });
    const webhook = parsed.data;
    if (!store.claimDelivery(`circleci:${webhook.id}`)) return sendJson(res, 200, { status: "duplicate" });
    try {
      const outcome = await apply(webhook);
      store.completeDelivery(`circleci:${webhook.id}`);
      return sendJson(res, 200, outcome);
    } catch (error) {
      store.releaseDelivery(`circleci:${webhook.id}`);
      log.error({ err: error, webhook: webhook.id }, "CircleCI webhook failed");
      return sendJson(res, 500, { error: "could not apply the webhook; retry" });
    }
  };
}
