/** `up` on a name that is taken: reported, never duplicated (the name is the lock). */
export class EnvironmentExistsError extends Error {
  constructor(readonly environment: string, readonly state: string) {
    super(
      `environment ${environment} already exists (${state}). Use it (\`shadowops test --env ${environment}\` re-tests it warm), ` +
        `destroy it with \`shadowops down --env ${environment}\`, or choose another name with --env.`,
    );
    this.name = "EnvironmentExistsError";
  }
}

export class UnknownEnvironmentError extends Error {
  constructor(readonly environment: string, readonly known: string[]) {
    super(
      `there is no environment named ${environment}` +
        (known.length ? ` (existing: ${known.join(", ")})` : " (there are none; create one with `shadowops up`)"),
    );
    this.name = "UnknownEnvironmentError";
  }
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use by another process: choose another with --airflow-port, or leave it out to use a free one`);
    this.name = "PortInUseError";
  }
}

/** Airflow did not come up; the environment was torn down, the logs were kept. */
export class AirflowStartError extends Error {
  constructor(readonly reason: string, readonly logFile: string) {
    super(`Airflow did not start: ${reason}\nSee its log: ${logFile}`);
    this.name = "AirflowStartError";
  }
}

/**
 * `up` on a name whose database is already on the PostgreSQL server, though this
 * SHADOWOPS_HOME has no such environment: it belongs to another home on the same server (another
 * checkout, user or CI job), or to a run killed before it tore down. Not ours to drop.
 */
export class DatabaseExistsError extends Error {
  constructor(readonly database: string, readonly server: string) {
    super(
      `database "${database}" already exists on ${server}, but no environment here owns it: another SHADOWOPS_HOME ` +
        `on this server (another checkout, user or CI job) uses the name, or a run was killed before it tore down. ` +
        `Choose another name with --env; if nobody uses it, drop it: psql -c 'DROP DATABASE "${database}"'`,
    );
    this.name = "DatabaseExistsError";
  }
}

/** PostgreSQL copies a template database only while no other session uses it (psql, an IDE). */
export class TemplateInUseError extends Error {
  constructor(readonly template: string) {
    super(
      `cannot copy "${template}": other sessions are connected to it. ` +
        `Close them (psql, IDEs) and try again — PostgreSQL copies a template only while nobody uses it.`,
    );
    this.name = "TemplateInUseError";
  }
}

/**
 * A local environment's record (environment.json) that is not JSON: the only note of its
 * Airflow processes and database, so shadowops can neither use nor tear down that environment.
 */
export class DamagedEnvironmentRecordError extends Error {
  constructor(
    readonly environment: string,
    readonly file: string,
    readonly reason: string,
    where: {
      /** The environment's folder, which holds the record. */
      directory: string;
      /** Its Airflow's home: the working directory of the Airflow processes. */
      airflowHome: string;
      /** Its warehouse database, when the folder's name is a valid environment name. */
      database: string | undefined;
    },
  ) {
    super(
      `the record of environment ${environment} is damaged (${file}: ${reason}), so shadowops can neither use nor tear it down. ` +
        `Repair the JSON, or clean up by hand: stop any Airflow process still working in ${where.airflowHome} ` +
        `(ls -l /proc/*/cwd 2>/dev/null | grep '${where.airflowHome}')` +
        (where.database ? `, drop its database: psql -c 'DROP DATABASE IF EXISTS "${where.database}"'` : "") +
        `, then remove ${where.directory}`,
    );
    this.name = "DamagedEnvironmentRecordError";
  }
}

/** A program shadowops starts (Airflow from its virtualenv) is missing or cannot be executed. */
export class ProgramNotRunnableError extends Error {
  constructor(
    readonly program: string,
    /** Why, in words: "it does not exist", "it is not executable", … */
    readonly reason: string,
    /** What installs it, from the caller that knows where the program comes from. */
    readonly remedy: string,
  ) {
    super(`cannot run ${program}: ${reason}. ${remedy}`);
    this.name = "ProgramNotRunnableError";
  }
}
