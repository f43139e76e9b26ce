/** Airflow's dag_id: letters, digits, underscores, dots and dashes (at most 250). */
export const DAG_ID_PATTERN = /^[A-Za-z0-9_.-]{1,250}$/;

/**
 * A snapshot choice: "latest", "none", or a Redshift snapshot identifier (letters, digits and
 * hyphens; automated snapshots also carry "rs:" and dots).
 */
export const SNAPSHOT_PATTERN = /^(?:latest|none|[A-Za-z0-9][A-Za-z0-9:._-]{0,254})$/;

/** A team as "team-slug" (in the repository owner's organization) or "org/team-slug". */
export const TEAM_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/)?[A-Za-z0-9_.-]{1,100}$/;

/**
 * A GitHub deployment environment name as the bot writes it: letters, digits, spaces, `_`, `.` and
 * `-`, starting with a letter or digit (GitHub's own limit is 255 characters).
 */
export const DEPLOYMENT_ENVIRONMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,254}$/;
