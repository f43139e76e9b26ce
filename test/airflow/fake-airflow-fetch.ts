/** A scripted stand-in for fetch: routes `METHOD /path` to handlers and records every call. */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type FakeHandler = (request: FakeRequest) => Response | Promise<Response>;

export interface FakeFetch {
  fetch: typeof fetch;
  calls: FakeRequest[];
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A JWT-shaped token (unsigned) with the given `exp` (seconds since epoch). */
export function fakeJwt(subject: string, expSeconds = Math.floor(Date.now() / 1000) + 3600): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS512" })}.${part({ sub: subject, exp: expSeconds })}.signature`;
}

export function fakeFetch(routes: Record<string, FakeHandler>): FakeFetch {
  const calls: FakeRequest[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? "GET").toUpperCase();
    const rawBody = typeof init?.body === "string" ? init.body : undefined;
    const request: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init?.headers),
      body: rawBody === undefined ? undefined : (JSON.parse(rawBody) as unknown),
    };
    calls.push(request);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return json(404, { detail: `no fake route for ${method} ${url.pathname}` });
    return handler(request);
  };
  return { fetch: impl, calls };
}

/** The default /auth/token route: always hands out a fresh valid token. */
export function tokenRoute(): FakeHandler {
  let n = 0;
  return () => json(201, { access_token: fakeJwt(`admin-${++n}`) });
}

export function dagRun(state: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dag_id: "pipeline",
    dag_run_id: "run-1",
    state,
    logical_date: null,
    queued_at: "2026-01-01T00:00:00Z",
    start_date: null,
    end_date: null,
    duration: null,
    run_type: "manual",
    conf: {},
    note: null,
    ...extra,
  };
}

export function taskInstance(taskId: string, state: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: taskId,
    dag_id: "pipeline",
    dag_run_id: "run-1",
    map_index: -1,
    state,
    try_number: state === null ? 0 : 1,
    max_tries: 0,
    start_date: null,
    end_date: null,
    duration: null,
    operator: "BashOperator",
    ...extra,
  };
}
