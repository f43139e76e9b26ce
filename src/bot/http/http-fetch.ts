import http, { type IncomingMessage } from "node:http";
import https from "node:https";

/**
 * The part of `fetch` that Octokit's request layer and the CircleCI client use, over node:http
 * with keep-alive agents, for the bot's calls to GitHub and CircleCI.
 *
 * Why not the global fetch: measured in the bot under load (npm run bench:bot, node --cpu-prof),
 * Node 20's fetch (undici with WHATWG streams, an AbortSignal and a Request per call) took about
 * a third of the bot's CPU, roughly 1 ms per request; every `/shadow test` makes eight or nine.
 * The bot only ever sends a small JSON body and reads a small body whole, which node:http does
 * for a fraction of that. Answers are read whole into memory (GitHub's are a few kB; the bot
 * never downloads artifacts), and are not compressed: no Accept-Encoding is sent.
 */
export type FetchLike = (url: string | URL, init?: FetchInit) => Promise<FetchResponse>;

export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | [string, string][];
  body?: string | Uint8Array | null;
  signal?: AbortSignal | null;
  redirect?: "follow" | "manual" | "error";
}

const MAX_REDIRECTS = 20;

export interface HttpFetchParams {
  /**
   * Idle sockets kept open per host. Above the bot's requests in flight (64 webhooks at once,
   * up to four requests each), so a burst does not close sockets only to open new ones.
   */
  maxFreeSockets?: number;
  /**
   * A request whose socket stays silent this long fails. The global fetch gives up after
   * 5 minutes without headers; a hung GitHub call would otherwise hold a webhook slot forever.
   */
  requestTimeoutMs?: number;
}

export function createHttpFetch({ maxFreeSockets = 256, requestTimeoutMs = 60_000 }: HttpFetchParams = {}): FetchLike {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxFreeSockets, scheduling: "lifo" }),
    "https:": new https.Agent({ keepAlive: true, maxFreeSockets, scheduling: "lifo" }),
  };

  async function fetchOnce(url: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | null, signal: AbortSignal | null): Promise<FetchResponse> {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
    signal?.throwIfAborted();
    // Looked up on each call, not bound at import: instrumentation (nock in the tests, APM
    // agents in production) replaces the modules' request functions after they are loaded.
    const send = url.protocol === "https:" ? https.request : http.request;
    const outgoing: Record<string, string | number> = { ...headers };
    if (body !== null && !hasHeader(headers, "content-length")) outgoing["content-length"] = Buffer.byteLength(body);
    return new Promise<FetchResponse>((resolve, reject) => {
      const req = send(url, { method, headers: outgoing, agent: agents[url.protocol as "http:" | "https:"], signal: signal ?? undefined }, (res) => {
        readAll(res).then((buffer) => resolve(new FetchResponse(url.href, res, buffer)), reject);
      });
      req.setTimeout(requestTimeoutMs, () => req.destroy(new Error(`no answer from ${url.host} within ${requestTimeoutMs} ms`)));
      req.on("error", (error) => reject(signal?.aborted ? signal.reason : fetchFailed(error)));
      req.end(body ?? undefined);
    });
  }

  return async function fetch(input, init = {}) {
    let url = new URL(String(input));
    let method = (init.method ?? "GET").toUpperCase();
    let body = init.body ?? null;
    const headers = Array.isArray(init.headers) ? Object.fromEntries(init.headers) : { ...init.headers };
    for (let redirects = 0; ; redirects += 1) {
      const response = await fetchOnce(url, method, headers, body, init.signal ?? null);
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null || init.redirect === "manual") return response;
      if (init.redirect === "error") throw new TypeError("fetch failed: redirect");
      if (redirects >= MAX_REDIRECTS) throw new TypeError("fetch failed: too many redirects");
      const next = new URL(location, url);
      // As fetch does: 303, and 301/302 after a POST, become a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = null;
        for (const name of Object.keys(headers)) if (/^content-/i.test(name)) delete headers[name];
      }
      // Credentials are not sent to another origin.
      if (next.origin !== url.origin) for (const name of Object.keys(headers)) if (/^authorization$/i.test(name)) delete headers[name];
      url = next;
    }
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function fetchFailed(cause: unknown): TypeError {
  const error = new TypeError("fetch failed");
  (error as TypeError & { cause: unknown }).cause = cause;
  return error;
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Response headers as fetch shows them: lower-case names, repeated ones joined with ", ". */
export class FetchHeaders implements Iterable<[string, string]> {
  private readonly values = new Map<string, string>();
  constructor(raw: string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const value = raw[i + 1]!;
      const previous = this.values.get(name);
      this.values.set(name, previous === undefined ? value : `${previous}, ${value}`);
    }
  }
  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.values) callback(value, name);
  }
  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

/** A whole answer, with the members of fetch's Response that callers read. */
export class FetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: FetchHeaders;
  readonly redirected = false;
  readonly body = null;
  constructor(
    readonly url: string,
    res: IncomingMessage,
    private readonly buffer: Buffer,
  ) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? "";
    this.headers = new FetchHeaders(res.rawHeaders);
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    return this.buffer.toString("utf8");
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.buffer.toString("utf8"));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.buffer.buffer.slice(this.buffer.byteOffset, this.buffer.byteOffset + this.buffer.byteLength) as ArrayBuffer;
  }
}

/** One per process: the sockets to GitHub and CircleCI are shared by every installation's client. */
export const httpFetch: FetchLike = createHttpFetch();

/** httpFetch where an API asks for the global fetch's type. */
export const httpFetchAsFetch = httpFetch as unknown as typeof globalThis.fetch;
