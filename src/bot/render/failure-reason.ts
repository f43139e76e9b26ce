import { CircleCiError, type CircleCiProblem } from "../circleci/circleci-client.js";
import { renderText } from "./bot-text.js";

/** Failures the bot itself describes (others come as text from the pipeline's callbacks). */
export type FailureReason =
  | CircleCiProblem
  | { kind: "destroy-not-started"; reason: string; retryMinutes: number }
  | { kind: "request-interrupted"; minutes: number }
  | { kind: "workflow-ended"; workflow: string; status: string; url: string | null; succeeded: boolean }
  | { kind: "pipeline-failed"; action: string; workflow: string; status: string; url: string | null }
  | { kind: "unexpected"; message: string };

const MAX_REASON = 2_000;

/** The sentence stored as an environment's failure, from templates/bot/failure-reason.hbs. */
export function failureReason(reason: FailureReason): string {
  return renderText("failure-reason", { message: "", ...reason }, MAX_REASON).replace(/\s*\n\s*/g, " ");
}

/** Why a trigger failed, for checks, the comment and replies. */
export function triggerFailure(error: unknown): string {
  if (error instanceof CircleCiError) return failureReason(error.problem);
  return failureReason({ kind: "unexpected", message: error instanceof Error ? error.message : String(error) });
}
