import { type CronItem, parseCronItems, type TaskList } from "graphile-worker";
import type { ExecutorDeps } from "../engine/executor.ts";
import { deliverNotificationTask } from "./deliver_notification.ts";
import { dispatchWaitingTask } from "./dispatch_waiting.ts";
import { type CountExecution, executeActionTask } from "./execute_action.ts";
import { foldRollupsTask } from "./fold_rollups.ts";
import { purgeRollbackDataTask } from "./purge_rollback_data.ts";
import { sweepTask } from "./sweep.ts";

export function createTaskList(deps: ExecutorDeps, countExecution?: CountExecution): TaskList {
  return {
    execute_action: executeActionTask(deps, countExecution),
    dispatch_waiting: dispatchWaitingTask(deps),
    sweep: sweepTask(deps.log),
    deliver_notification: deliverNotificationTask,
    purge_rollback_data: purgeRollbackDataTask(deps.log),
    fold_rollups: foldRollupsTask(deps.log),
  };
}

const crontab: CronItem[] = [
  // No backfill: one sweep catches up with everything a missed minute would have done.
  { task: "sweep", match: "* * * * *", identifier: "sweep", options: { backfillPeriod: 0 } },
  // Readers are exact without it; folding keeps the journal they add up short.
  { task: "fold_rollups", match: "* * * * *", identifier: "fold_rollups", options: { backfillPeriod: 0 } },
  // Daily at 03:00 UTC; after downtime, one catch-up run within the day.
  {
    task: "purge_rollback_data",
    match: "0 3 * * *",
    identifier: "purge_rollback_data",
    options: { backfillPeriod: 86_400_000 },
  },
];

export const parsedCronItems = parseCronItems(crontab);
