import type { ProbotOctokit } from "probot";

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** The part of a fetch Response that answerData reads. */
export interface AnswerBody {
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Octokit reads GitHub's JSON answers with json-with-bigint, which keeps integers above 2^53
 * exact. On Node 20 that parser costs nine times JSON.parse: 0.78 ms against 0.09 ms for one
 * 22 kB pull request (a `/shadow test` reads about 32 kB of answers), all of it on the bot's one
 * thread. GitHub's ids are far below 2^53 (check runs are near 10^10), so the bot's client tells
 * Octokit to leave a successful answer's body alone and reads it here with JSON.parse, by the
 * same rules as Octokit (answerData). Errors (4xx/5xx) keep Octokit's own reading.
 */
export const readJsonAnswersNatively: OctokitPlugin = (octokit) => {
  octokit.hook.wrap("request", async (request, options) => {
    // A caller that asked for the raw body itself gets it.
    if (options.request?.parseSuccessResponseBody === false) return request(options);
    const fetch = options.request?.fetch ?? globalThis.fetch;
    let answer: AnswerBody | undefined;
    // In place: before-after-hook binds the hooks inside this one to this call's options object
    // (a fresh one per call), so a copy would not reach @octokit/request.
    options.request = {
      ...options.request,
      parseSuccessResponseBody: false,
      fetch: async (...args: Parameters<typeof globalThis.fetch>) => (answer = await fetch(...args)),
    };
    const response = await request(options);
    // 204, 205 and HEAD answers carry no body: Octokit's data stays "".
    if (answer === undefined || response.status === 204 || response.status === 205 || options.method === "HEAD") return response;
    return { ...response, data: await answerData(response.headers["content-type"], answer) };
  });
};

/**
 * What Octokit makes of an answer's body (@octokit/request's getResponseData), with JSON.parse:
 * JSON (a body that does not parse stays text); text/* or a UTF-8 charset as text, except
 * application/octet-stream; without a content type, text; anything else an ArrayBuffer.
 */
export async function answerData(contentType: string | undefined, body: AnswerBody): Promise<unknown> {
  if (!contentType) return body.text();
  const [type = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type === "application/json" || type === "application/scim+json") {
    const text = await body.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  const utf8 = parameters.some((parameter) => parameter.replace(/\s+/g, "") === "charset=utf-8" || parameter === 'charset="utf-8"');
  if (type.startsWith("text/") || (utf8 && type !== "application/octet-stream")) return body.text();
  return body.arrayBuffer();
}
