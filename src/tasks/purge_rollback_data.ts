import type { Task } from "graphile-worker";
import type { Logger } from "../logger.ts";

/** Crontab task `purge_rollback_data` (daily): purges expired rollback data in short batches. */
export function purgeRollbackDataTask(log: Logger): Task {
  return async (_payload, helpers) => {
    let total = 0;
    for (;;) {
      const { rows } = await helpers.query<{ purged: number }>(
        "select autoexec_private.purge_rollback_data() as purged",
      );
      const purged = rows[0]?.purged ?? 0;
      total += purged;
      if (purged === 0) break;
      log.info({ purgedSoFar: total }, "purging rollback data");
    }
    if (total) log.info({ purged: total }, "rollback data past retention purged");
  };
}
