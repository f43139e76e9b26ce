import type { ServerResponse } from "node:http";

/** A JSON answer to a callback; true, so Probot stops looking for another handler. */
export function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): true {
  res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
  return true;
}

/** The path of a request, without its query. */
export function pathOf(url: string | undefined): string {
  return (url ?? "").split("?")[0] ?? "";
}
