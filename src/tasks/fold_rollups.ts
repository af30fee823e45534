import type { Task } from "graphile-worker";
import type { Logger } from "../logger.ts";

/** Journal rows folded per transaction: short transactions even after the workers were down for long. */
const FOLD_BATCH = 100_000;

/**
 * Crontab task `fold_rollups` (every minute): moves the journalled changes into the rollups the stats
 * and /metrics read (autoexec_private.fold_rollups), one batch per transaction until the journal is
 * short. Readers stay exact whether or not it ran; it keeps their cost down.
 */
export function foldRollupsTask(log: Logger): Task {
  return async (_payload, helpers) => {
    let total = 0;
    for (;;) {
      const { rows } = await helpers.query<{ folded: number }>(
        "select autoexec_private.fold_rollups($1) as folded",
        [FOLD_BATCH],
      );
      const folded = rows[0]?.folded ?? 0;
      total += folded;
      if (folded < FOLD_BATCH) break;
      log.info({ foldedSoFar: total }, "folding the rollup journal");
    }
    log.debug({ folded: total }, "rollups folded");
  };
}
