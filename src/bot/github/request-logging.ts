import type { ProbotOctokit } from "probot";

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** The function name of Probot's request logging plugin (probot/lib/octokit/octokit-plugin-probot-request-logging.js). */
export const PROBOT_REQUEST_LOGGING = "probotRequestLogging";

interface LevelAwareLog {
  debug: (fields: object, message: string) => void;
  /** pino's; Octokit's default console logger has none. */
  isLevelEnabled?: (level: string) => boolean;
}

/**
 * Probot's request logging writes "GitHub request: POST /repos/… - 201" at debug level after
 * every request, and parses the request's options once more to do it, whether debug lines are
 * written or not: 0.5 ms of the bot's CPU a `/shadow test` at the default level (its eight
 * requests; `npm run bench:bot`, 8.2 against 7.7 ms). This plugin writes the same lines, and
 * adds its hooks only to a client whose log writes debug lines (Probot makes a client per
 * webhook, with the log level of the moment).
 */
export const logRequestsWhenDebugging: OctokitPlugin = (octokit) => {
  const log = octokit.log as unknown as LevelAwareLog;
  if (log.isLevelEnabled && !log.isLevelEnabled("debug")) return;
  const write = (options: Parameters<typeof octokit.request.endpoint.parse>[0], status: number) => {
    const { method, url, ...parameters } = octokit.request.endpoint.parse(options);
    log.debug((parameters as { body?: object }).body ?? {}, `GitHub request: ${method} ${url} - ${status}`);
  };
  octokit.hook.error("request", (error, options) => {
    if ("status" in error && typeof error.status === "number") write(options, error.status);
    throw error;
  });
  octokit.hook.after("request", (result, options) => write(options, result.status));
};

/** `plugins` with Probot's request logging swapped for logRequestsWhenDebugging, in its place. */
export function withRequestLoggingWhenDebugging(plugins: readonly OctokitPlugin[]): OctokitPlugin[] {
  return plugins.map((plugin) => (plugin.name === PROBOT_REQUEST_LOGGING ? logRequestsWhenDebugging : plugin));
}
