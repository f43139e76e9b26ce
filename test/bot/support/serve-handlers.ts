import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestBot } from "./bot-harness.js";
import { CALLBACK_SECRET } from "./bot-harness.js";
import { signCallback } from "../../../src/bot/callbacks/sign-callback.js";

/** The app's addHandler routes on a local HTTP server (port 0), tried in order like Probot's server. */
export async function serveHandlers(handlers: TestBot["handlers"]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let events = 0;

/** POSTs a callback signed like the orb does, at the bot's clock; returns status and JSON. */
export async function sendCallback(
  url: string,
  event: Record<string, unknown>,
  { nowMs, secret = CALLBACK_SECRET, timestamp }: { nowMs: number; secret?: string; timestamp?: number },
): Promise<{ status: number; body: any; raw: string; headers: Record<string, string> }> {
  const raw = JSON.stringify({ id: `evt-${String((events += 1)).padStart(8, "0")}`, ...event });
  const headers = signCallback({ secret, body: raw, timestamp: timestamp ?? Math.floor(nowMs / 1_000) });
  const response = await fetch(`${url}/shadowops/callbacks`, { method: "POST", headers, body: raw });
  return { status: response.status, body: await response.json(), raw, headers };
}
