import type pg from "pg";

/** One row as the agent writes it. */
export interface AgentRow {
  type?: string;
  /** action_data exactly as the agent spells it (JSON text). */
  json: string;
  confidence?: string;
  impact?: string;
  rateLimitKey?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Becomes autoexec_agent with the settings its login gets (ALTER ROLE ... SET applies at login, not on
 * SET ROLE), for the rest of the transaction.
 */
export async function asAgentLogin(client: pg.ClientBase): Promise<void> {
  await client.query(`
    select set_config(split_part(setting, '=', 1), split_part(setting, '=', 2), true)
    from pg_db_role_setting, unnest(setconfig) as setting
    where setrole = 'autoexec_agent'::regrole
      and setdatabase in (0, (select oid from pg_database where datname = current_database()))`);
  await client.query("set local role autoexec_agent");
}

/** Inserts one row as autoexec_agent and commits; returns its id, or throws the database's refusal. */
export async function insertRowAsAgent(pool: pg.Pool, row: AgentRow): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await asAgentLogin(client);
    const { rows } = await client.query<{ id: number }>(
      `insert into autoexec.actions
         (type, action_data, confidence, estimated_revenue_impact, rate_limit_key, idempotency_key)
       values ($1, $2::jsonb, $3::numeric, $4::numeric, $5, $6) returning id`,
      [
        row.type ?? "ADD_AFFILIATE_LINK",
        row.json,
        row.confidence ?? "0.9",
        row.impact ?? "5",
        row.rateLimitKey ?? null,
        row.idempotencyKey ?? null,
      ],
    );
    await client.query("commit");
    return rows[0]?.id as number;
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

/** The database's refusal of a row; throws when the row was accepted. */
export async function agentRefusal(pool: pg.Pool, row: AgentRow): Promise<{ code: string; message: string }> {
  const outcome = await insertRowAsAgent(pool, row).then(
    (id) => ({ acceptedAs: id }),
    (error: { code: string; message: string }) => ({ refused: error }),
  );
  if ("acceptedAs" in outcome) throw new Error(`row was accepted as action ${outcome.acceptedAs}`);
  return { code: outcome.refused.code, message: outcome.refused.message };
}
