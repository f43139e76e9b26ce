import { z } from "zod";
import { parseDuration } from "../../core/parse-duration.js";
import { DAG_ID_PATTERN, DEPLOYMENT_ENVIRONMENT_PATTERN, SNAPSHOT_PATTERN, TEAM_PATTERN } from "./identifiers.js";

/** Where the bot reads a repository's settings: `.github/shadowops.yml` on the default branch. */
export const CONFIG_FILE = "shadowops.yml";

const duration = z
  .string()
  .refine((text) => isDuration(text), { message: 'not a duration: use a number with s, m, h or d, e.g. 30m, 4h or 1h30m' });

/**
 * The schema of `.github/shadowops.yml`. Every field has a default, so an absent file means an
 * OAuth CircleCI project `gh/OWNER/REPO` with the defaults below. Unknown keys are errors, so a
 * typo is reported instead of silently ignored. docs/shadowops.schema.json is generated from
 * this and docs/shadowops-yml.md describes it; a test fails when either drifts.
 */
export const shadowOpsConfigSchema = z
  .object({
    /** The CircleCI project whose pipeline runs the ShadowOps orb. */
    circleci: z
      .object({
        /** Project slug: `circleci/ORG-ID/PROJECT-ID` for GitHub App projects, `gh/OWNER/REPO` for OAuth projects. */
        project_slug: z
          .string()
          .regex(/^(?:circleci\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+|(?:gh|github|bb|bitbucket)\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)$/, {
            message: "not a project slug: use circleci/ORG-ID/PROJECT-ID or gh/OWNER/REPO",
          })
          .optional()
          .describe(
            "Project slug: `circleci/ORG-ID/PROJECT-ID` for GitHub App projects, `gh/OWNER/REPO` for OAuth projects. Default: `gh/OWNER/REPO` of this repository.",
          ),
        /** Pipeline definition id (Project settings → Pipelines); required for `circleci/…` slugs. */
        definition_id: z
          .guid({ message: "not a pipeline definition id (a UUID from Project settings → Pipelines)" })
          .optional()
          .describe(
            "Pipeline definition id (Project settings → Pipelines). Required for GitHub App projects (`circleci/…` slugs); its presence selects the `pipeline/run` endpoint.",
          ),
      })
      .strict()
      .prefault({})
      .refine((circleci) => !circleci.project_slug?.startsWith("circleci/") || circleci.definition_id !== undefined, {
        message: "a GitHub App project (circleci/… slug) needs circleci.definition_id",
        path: ["definition_id"],
      })
      .describe("The CircleCI project whose pipeline runs the ShadowOps orb."),
    /** The label that starts a shadow when added and destroys it when removed. */
    label: z
      .string()
      .min(1)
      .max(50)
      .default("shadow")
      .describe("The pull-request label that starts a shadow when a permitted user adds it and destroys it when removed."),
    /** How long a shadow lives before the reaper destroys it. */
    ttl: z
      .object({
        /** Time to live when `/shadow test` has no `--ttl`. */
        default: duration.default("4h").describe("Time to live when `/shadow test` gives no `--ttl`, e.g. `4h`."),
        /** Longest time to live `--ttl` or `/shadow extend` may give, counted from now. */
        max: duration.default("24h").describe("Longest time to live that `--ttl` or `/shadow extend` may give, counted from now."),
      })
      .strict()
      .prefault({})
      .refine((ttl) => !isDuration(ttl.default) || !isDuration(ttl.max) || parseDuration(ttl.default) <= parseDuration(ttl.max), {
        message: "must not be longer than ttl.max",
        path: ["default"],
      })
      .describe("How long a shadow lives before it is destroyed."),
    /** Teams whose members may run commands even without write access. */
    allowed_teams: z
      .array(z.string().regex(TEAM_PATTERN, { message: "not a team: use team-slug or org/team-slug" }))
      .max(20)
      .default([])
      .describe(
        "Teams (`team-slug` in this organization, or `org/team-slug`) whose members may run commands without write access. Fork pull requests still need a maintainer.",
      ),
    /** DAGs a shadow test may run; the first is the default. */
    dags: z
      .array(z.string().regex(DAG_ID_PATTERN, { message: "not a DAG id: letters, digits, _, . and - only" }))
      .max(50)
      .default([])
      .describe("DAG ids a shadow test may run (`--dag`); the first is the default. Empty: the orb's default DAG."),
    /** Which production snapshot a new shadow restores. */
    snapshot: z
      .string()
      .regex(SNAPSHOT_PATTERN, { message: "use latest, none or a snapshot identifier" })
      .default("latest")
      .describe("Production snapshot a new shadow restores: `latest`, `none` (empty warehouse) or a snapshot identifier."),
    /** Test every new pull request without being asked (never for fork PRs or ones opened by bots). */
    auto_test: z
      .boolean()
      .default(false)
      .describe(
        "Test a pull request without being asked: when it is opened or marked ready for review, or gets a push while it never had a shadow. Not for drafts, fork PRs or PRs opened by bots; the person who opened or pushed must be allowed to act. Off: a shadow starts only with `/shadow test` or the label.",
      ),
    /** With auto_test: only PRs that change a file matching one of these globs. */
    auto_test_paths: z
      .array(z.string().min(1, { message: "an empty glob matches nothing: remove it" }).max(200))
      .max(50)
      .default([])
      .describe(
        "With `auto_test`: only pull requests that change (add, modify, delete or rename) a file matching one of these globs, e.g. `dags/**`, `r/**`, `migrations/**`. Empty: any change.",
      ),
    /** Re-test automatically on every push to a PR with a live shadow (never for fork PRs). */
    auto_retest: z
      .boolean()
      .default(false)
      .describe(
        "Re-test automatically when a PR with a live shadow gets a push. Off: the DAG check of the new commit asks for a re-test. Never automatic for fork PRs.",
      ),
    /**
     * The GitHub environment every shadow's deployment goes to. One name for all pull requests:
     * GitHub lists each environment name a deployment ever used under Settings → Environments and
     * keeps it after its deployments end, and deleting one needs administration access, which the
     * app does not ask for.
     */
    deployment_environment: z
      .string()
      .regex(DEPLOYMENT_ENVIRONMENT_PATTERN, { message: "not an environment name: letters, digits, spaces, _, . and - only, starting with a letter or digit" })
      .default("shadowops")
      .describe(
        "The GitHub environment every shadow's deployment goes to (one for all pull requests, so Settings → Environments gains one entry, not one per PR).",
      ),
    /** Most shadows live at once in this repository. */
    max_live_environments: z
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe("Most shadows that may live at once in this repository; a test beyond it is refused."),
  })
  .strict();

export type ShadowOpsConfig = z.output<typeof shadowOpsConfigSchema>;

function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}
