import { isNotFound, type GitHubClient, type RepoRef } from "../github/octokit.js";

export type RepositoryRole = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export type Authorization =
  | { allowed: true; via: "permission" | "team" }
  | { allowed: false; reason: "no-permission" | "fork-not-maintainer"; role: RepositoryRole };

const MAINTAINER_ROLES: readonly RepositoryRole[] = ["admin", "maintain", "write"];

/** The user's role on the repository (a 404, e.g. an unknown user, counts as none). */
export async function repositoryRole({ octokit, owner, repo, username }: RepoRef & { octokit: GitHubClient; username: string }): Promise<RepositoryRole> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    const role = (data as { role_name?: string }).role_name ?? data.permission;
    return (["admin", "maintain", "write", "triage", "read"] as const).find((known) => known === role) ?? "none";
  } catch (error) {
    if (isNotFound(error)) return "none";
    throw error;
  }
}

export interface AuthorizeActorParams extends RepoRef {
  octokit: GitHubClient;
  username: string;
  /** The user's role, when already fetched (it is fetched in parallel with other look-ups). */
  role: RepositoryRole;
  /** Teams from the config ("team" in the owner's organization, or "org/team"). */
  allowedTeams: readonly string[];
  /** The PR comes from a fork: only maintainers may act, team membership is not enough. */
  isFork: boolean;
}

/**
 * Who may start, extend or destroy a shadow: people with write, maintain or admin permission;
 * members of a configured team too, except on fork PRs, where only a maintainer's command
 * runs (it pins the head commit they looked at).
 */
export async function authorizeActor({ octokit, owner, username, role, allowedTeams, isFork }: AuthorizeActorParams): Promise<Authorization> {
  if (MAINTAINER_ROLES.includes(role)) return { allowed: true, via: "permission" };
  if (isFork) return { allowed: false, reason: "fork-not-maintainer", role };
  for (const team of allowedTeams) {
    const [org, teamSlug] = team.includes("/") ? team.split("/", 2) : [owner, team];
    if (await isActiveTeamMember({ octokit, org: org ?? owner, teamSlug: teamSlug ?? team, username })) {
      return { allowed: true, via: "team" };
    }
  }
  return { allowed: false, reason: "no-permission", role };
}

async function isActiveTeamMember({ octokit, org, teamSlug, username }: { octokit: GitHubClient; org: string; teamSlug: string; username: string }): Promise<boolean> {
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username });
    return data.state === "active";
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
