import type { z } from "zod";

/**
 * A zod error as one line, "modId: expected number, received string; reason: a reason is required",
 * for a 400 or an action's status_reason. An issue about the value as a whole is labelled `whole`
 * when given (e.g. "action_data"), else it is its message alone.
 */
export function describeIssues(error: z.ZodError, whole?: string): string {
  return error.issues
    .map((issue) => {
      const label = issue.path.length ? issue.path.join(".") : whole;
      return label === undefined ? issue.message : `${label}: ${issue.message}`;
    })
    .join("; ");
}
