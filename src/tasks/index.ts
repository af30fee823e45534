import { type CronItem, parseCronItems, type TaskList } from "graphile-worker";
import type { ExecutorDeps } from "../engine/executor.ts";
import { executeActionTask } from "./execute_action.ts";
import { sweepTask } from "./sweep.ts";

export function createTaskList(deps: ExecutorDeps): TaskList {
  return {
    execute_action: executeActionTask(deps),
    sweep: sweepTask(deps.log),
  };
}

const crontab: CronItem[] = [
  // No backfill: one sweep catches up with everything a missed minute would have done.
  { task: "sweep", match: "* * * * *", identifier: "sweep", options: { backfillPeriod: 0 } },
];

export const parsedCronItems = parseCronItems(crontab);
