import { assertEnvironmentName } from "../../core/environment-name.js";

/** Every shadow stack's name starts with this; the deployer role is scoped to `shadowops-*`. */
export const STACK_NAME_PREFIX = "shadowops-";

/** The CloudFormation stack of an environment: `shadowops-<environment>`. */
export function stackNameFor(environment: string): string {
  return `${STACK_NAME_PREFIX}${assertEnvironmentName(environment)}`;
}
