import type pg from "pg";

type Queryable = Pick<pg.Pool, "query">;

export interface LogFields {
  /** Defaults to a new action of `type`. */
  actionId?: number;
  /** Defaults to EXPAND_CONTENT (Tier 2: inserting its action queues no job). The tier comes from the catalogue. */
  type?: string;
  executedAt?: Date;
  executedBy?: string;
  mode?: "live" | "dry_run";
  success?: boolean;
  durationMs?: number;
  rollbackData?: Record<string, unknown> | null;
  rolledBack?: { at: Date; by: string; reason: string };
}

/**
 * Inserts an execution log the way the engine writes one, with the time given. The append-only
 * trigger refuses to change executed_at afterwards, so moving time means inserting the row that way.
 */
export async function insertExecutionLog(db: Queryable, fields: LogFields = {}): Promise<number> {
  const type = fields.type ?? "EXPAND_CONTENT";
  const actionId = fields.actionId ?? (await insertBareAction(db, type));
  const success = fields.success ?? true;
  const { rows } = await db.query<{ id: number }>(
    `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
       attempt, input_data, success, error_message, duration_ms, rollback_data, rolled_back_at, rolled_back_by,
       rollback_reason)
     values ($1, $2, (select tier from autoexec.action_types where type = $2), coalesce($3, now()), $4, $5, 1, '{}',
       $6, $7, $8, $9, $10, $11, $12)
     returning id`,
    [
      actionId,
      type,
      fields.executedAt ?? null,
      fields.executedBy ?? "approved",
      fields.mode ?? "live",
      success,
      success ? null : "seeded failure",
      fields.durationMs ?? 1,
      fields.rollbackData === undefined || fields.rollbackData === null
        ? null
        : JSON.stringify(fields.rollbackData),
      fields.rolledBack?.at ?? null,
      fields.rolledBack?.by ?? null,
      fields.rolledBack?.reason ?? null,
    ],
  );
  // The action of a live success is EXECUTED, as the engine leaves it (and ROLLED_BACK once undone):
  // a rollback of a PENDING action is a move the state machine refuses.
  if (fields.actionId === undefined && success && (fields.mode ?? "live") === "live") {
    await db.query("update autoexec.actions set status = 'EXECUTED' where id = $1", [actionId]);
    if (fields.rolledBack)
      await db.query("update autoexec.actions set status = 'ROLLED_BACK' where id = $1", [actionId]);
  }
  return rows[0]?.id as number;
}

async function insertBareAction(db: Queryable, type: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     values ($1, '{}', 0.9, 5) returning id`,
    [type],
  );
  return rows[0]?.id as number;
}

export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
