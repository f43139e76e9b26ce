import { loadTemplate } from "../../report/load-templates.js";

export const CHECK_ACTION_IDS = ["destroy", "rerun", "extend"] as const;
export type CheckActionId = (typeof CHECK_ACTION_IDS)[number];

export interface CheckAction {
  identifier: CheckActionId;
  label: string;
  description: string;
}

/** GitHub's limits on a check run's requested actions. */
export const ACTION_LIMITS = { count: 3, label: 20, description: 40, identifier: 20 } as const;

/**
 * The buttons of a check run (at most three), with their texts from templates/bot/check-actions.hbs.
 * A click arrives as `check_run.requested_action` with the identifier.
 */
export function checkActions(which: readonly CheckActionId[], extendBy: string): CheckAction[] {
  const lines = loadTemplate("bot/check-actions")({ extendBy })
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const all = new Map(
    lines.map((line) => {
      const [identifier = "", label = "", description = ""] = line.split("|").map((part) => part.trim());
      return [identifier, { identifier, label, description }] as const;
    }),
  );
  return which.slice(0, ACTION_LIMITS.count).map((id) => {
    const action = all.get(id);
    if (!action) throw new Error(`templates/bot/check-actions.hbs has no line for ${id}`);
    return {
      identifier: id,
      label: action.label.slice(0, ACTION_LIMITS.label),
      description: action.description.slice(0, ACTION_LIMITS.description),
    };
  });
}

export function isCheckActionId(value: string): value is CheckActionId {
  return (CHECK_ACTION_IDS as readonly string[]).includes(value);
}
