/**
 * Exit codes of the `shadowops` CLI (documented in README):
 *   0   the command did what was asked (for `test`: the shadow test passed)
 *   1   the shadow test ran and failed (a migration or a DAG task failed)
 *   2   bad input: unknown command, option, environment or DAG; a port already taken
 *   3   the environment could not be built or reached (PostgreSQL, Airflow, AWS)
 *   70  a bug in shadowops: the message and stack trace are printed; please report it
 *   130 interrupted (Ctrl-C or SIGTERM); whatever was being built was torn down
 */
export const EXIT = { ok: 0, testFailed: 1, usage: 2, environment: 3, internal: 70, interrupted: 130 } as const;

/** An error the user can act on; its message is printed as is, without a stack. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "ExitError";
  }
}

export class UsageError extends ExitError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}

export class EnvironmentError extends ExitError {
  constructor(message: string) {
    super(message, EXIT.environment);
    this.name = "EnvironmentError";
  }
}

export class InterruptedError extends ExitError {
  constructor(signal: string, aftermath = "the environment was torn down") {
    super(`interrupted by ${signal}; ${aftermath}`, EXIT.interrupted);
    this.name = "InterruptedError";
  }
}
