import { authorizeActor, repositoryRole } from "../auth/authorize-actor.js";
import { changesMatchAutoTestPaths } from "../config/auto-test-paths.js";
import { listChangedFiles } from "../github/pull-request.js";
import type { HandlePullRequestParams } from "./handle-pull-request.js";
import { loadConfig } from "./load-config.js";
import { testPullRequestHead } from "./test-pull-request-head.js";

/**
 * `auto_test`: a shadow test nobody asked for, of a PR that never had a shadow, when its config
 * asks for one and (with `auto_test_paths`) the PR changes a matching file. The caller has ruled
 * out drafts, fork PRs and events sent by bots: their code would run with the project's secrets
 * without a maintainer having looked at it. Whoever opened or pushed must be allowed to act.
 * Nothing is said on the PR when no test starts (nobody asked; a push would repeat it): the
 * reason is logged, and `/shadow test` gives it.
 */
export async function autoTest(params: HandlePullRequestParams): Promise<void> {
  const { services, octokit, event, readConfig } = params;
  const { owner, repo, pull, sender } = event;
  const skip = (reason: string) => services.log.info({ repository: `${owner}/${repo}`, pullRequest: pull.number, reason }, "no automatic test");
  const loaded = await loadConfig(readConfig);
  if (!loaded.ok) return skip("the config is invalid");
  const { config } = loaded;
  if (!config.auto_test) return;
  // GitHub also sends `labeled` for a PR opened with labels: that webhook starts the test.
  if (event.labels.includes(config.label)) return;
  if (config.auto_test_paths.length > 0) {
    const files = await listChangedFiles({ octokit, owner, repo, number: pull.number });
    if (!changesMatchAutoTestPaths(files, config.auto_test_paths)) return skip("no changed file matches auto_test_paths");
  }
  const role = await repositoryRole({ octokit, owner, repo, username: sender.login });
  const decision = await authorizeActor({ octokit, owner, repo, username: sender.login, role, allowedTeams: config.allowed_teams, isFork: pull.isFork });
  if (!decision.allowed) return skip(`${sender.login} may not start a shadow (${role})`);
  const outcome = await testPullRequestHead(params, config, null);
  if ("refusal" in outcome) skip(`refused: ${outcome.refusal}`);
}
