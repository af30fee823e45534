import pg from "pg";

// The engine's hot SQL calls, one typed wrapper per SQL function. Each wrapper declares the function's
// arguments and result columns as PostgreSQL names them (pg_proc), and the TypeScript types follow
// from those declarations: test/sql-calls.test.ts compares every wrapper here with pg_proc, so a
// changed signature fails the tests, and the changed declaration then fails the type-check wherever
// a caller no longer fits.
//
// A call is rendered as text with its values written in as typed literals (`42::bigint`,
// `'…'::jsonb`), not as $n parameters: a simple-protocol query takes no parameters but can hold
// several statements, which is how `begin`, `set local …`, a call and `commit` share one round trip
// (run's `before` and `after`). Round trips are most of an execution's cost (docs/BENCHMARKS.md).

/** The argument and column types the wrappers use, spelled as format_type() spells them. */
export const SQL_TYPES = [
  "bigint",
  "integer",
  "smallint",
  "double precision",
  "boolean",
  "text",
  "jsonb",
  "timestamp with time zone",
] as const;
export type SqlType = (typeof SQL_TYPES)[number];
/** A type as declared here: `"text | null"` when the value may be null. */
export type Declared = SqlType | `${SqlType} | null`;

/** The TypeScript type of a value sent as `T`; a timestamptz may be a string as PostgreSQL wrote it (microseconds). */
type ArgOf<T extends SqlType> = T extends "bigint" | "integer" | "smallint" | "double precision"
  ? number
  : T extends "boolean"
    ? boolean
    : T extends "text"
      ? string
      : T extends "timestamp with time zone"
        ? Date | string
        : unknown;
/** The TypeScript type of a column of type `T` as node-pg parses it (src/db/pool.ts: bigint as a number). */
type ColumnOf<T extends SqlType> = T extends "timestamp with time zone" ? Date : ArgOf<T>;
type Nullable<D extends Declared, Base> = D extends `${string} | null` ? Base | null : Base;
type BaseOf<D extends Declared> = D extends `${infer T extends SqlType} | null` ? T : D & SqlType;

/** p_action_id → actionId: a wrapper's arguments are named after the SQL function's. */
type ArgName<S extends string> = CamelCase<S extends `p_${infer Rest}` ? Rest : S>;
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type ArgDecls = Readonly<Record<string, Declared>>;
/** A table's columns, or the one type of a scalar result (its column is `result`), or void. */
type ReturnDecl = Readonly<Record<string, Declared>> | Declared | "void";

export type ArgValues<A extends ArgDecls> = {
  [K in keyof A & string as ArgName<K>]: Nullable<A[K], ArgOf<BaseOf<A[K]>>>;
};
export type RowOf<R extends ReturnDecl> = R extends "void"
  ? { result: unknown }
  : R extends Declared
    ? { result: Nullable<R, ColumnOf<BaseOf<R>>> }
    : { -readonly [K in keyof R]: R[K] extends Declared ? Nullable<R[K], ColumnOf<BaseOf<R[K]>>> : never };

/** One statement, as text; `Row` is the type of its rows. */
export interface Statement<Row> {
  readonly text: string;
  /** Never set: carries the row type. */
  readonly row?: Row;
}

export interface SqlFunction<A extends ArgDecls, R extends ReturnDecl> {
  (args: ArgValues<A>): Statement<RowOf<R>>;
  /** Schema-qualified, as in `oid::regprocedure`. */
  readonly sqlName: string;
  readonly args: A;
  readonly returns: R;
}

export function argName(sqlArgument: string): string {
  return sqlArgument.replace(/^p_/, "").replace(/_(.)/g, (_, letter: string) => letter.toUpperCase());
}

function baseType(declared: Declared): SqlType {
  return declared.replace(/ \| null$/, "") as SqlType;
}

/** A value as a literal of its declared type; a value TypeScript let through that does not fit throws. */
function literal(declared: Declared, value: unknown): string {
  const type = baseType(declared);
  if (value === null || value === undefined) {
    if (!declared.endsWith("| null")) throw new Error(`a ${type} argument is missing`);
    return `null::${type}`;
  }
  const refuse = () => new Error(`${JSON.stringify(value)} is not a ${type}`);
  switch (type) {
    case "bigint":
    case "integer":
    case "smallint":
      if (!Number.isSafeInteger(value)) throw refuse();
      return `${value}::${type}`;
    case "double precision":
      if (typeof value !== "number" || !Number.isFinite(value)) throw refuse();
      return `${value}::${type}`;
    case "boolean":
      if (typeof value !== "boolean") throw refuse();
      return `${value}`;
    case "text":
      if (typeof value !== "string") throw refuse();
      return `${pg.escapeLiteral(value)}::text`;
    case "jsonb":
      return `${pg.escapeLiteral(JSON.stringify(value))}::jsonb`;
    case "timestamp with time zone": {
      const text = value instanceof Date ? value.toISOString() : value;
      if (typeof text !== "string") throw refuse();
      return `${pg.escapeLiteral(text)}::timestamptz`;
    }
  }
}

function sqlFunction<const A extends ArgDecls, const R extends ReturnDecl>(
  sqlName: string,
  args: A,
  returns: R,
): SqlFunction<A, R> {
  const call = (values: ArgValues<A>): Statement<RowOf<R>> => {
    const given = values as Record<string, unknown>;
    const list = Object.entries(args)
      .map(([name, type]) => literal(type, given[argName(name)]))
      .join(", ");
    return {
      text:
        typeof returns === "string"
          ? `select ${sqlName}(${list}) as result`
          : `select * from ${sqlName}(${list})`,
    };
  };
  return Object.assign(call, { sqlName, args, returns });
}

/** A statement whose result is not needed (`begin`, `set local …`, `commit`), or a typed call. */
export type Piece = string | Statement<unknown>;

type Queryable = Pick<pg.ClientBase, "query">;

/**
 * Sends `statement`, with `before` and `after` around it, as one simple-protocol query (one round
 * trip), and returns its rows. PostgreSQL runs the statements in order and stops at the first error
 * (then the query rejects): `after: ["commit"]` commits only when the call succeeded.
 */
export async function run<Row>(
  db: Queryable,
  statement: Statement<Row>,
  around: { before?: readonly Piece[]; after?: readonly Piece[] } = {},
): Promise<Row[]> {
  const before = around.before ?? [];
  const pieces = [...before, statement, ...(around.after ?? [])];
  const text = pieces.map((piece) => (typeof piece === "string" ? piece : piece.text)).join("; ");
  // node-pg answers a query of several statements with one result each, and one statement with a result.
  const answer = (await db.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== pieces.length)
    throw new Error(`expected ${pieces.length} results, got ${results.length}: ${text.slice(0, 200)}`);
  return (results[before.length]?.rows ?? []) as Row[];
}

/** The one row a call returns (a function returning a table of one row, or a scalar). */
export async function runOne<Row>(
  db: Queryable,
  statement: Statement<Row>,
  around?: { before?: readonly Piece[]; after?: readonly Piece[] },
): Promise<Row> {
  const rows = await run(db, statement, around);
  const row = rows[0];
  if (rows.length !== 1 || !row) throw new Error(`expected one row, got ${rows.length}: ${statement.text}`);
  return row;
}

// ---- execution (src/engine/executor.ts) -------------------------------------------------------------

export const startExecution = sqlFunction(
  "autoexec_private.start_execution",
  { p_action_id: "bigint", p_force: "boolean", p_actor: "text | null" },
  {
    decision: "text",
    not_now: "text | null",
    reason: "text | null",
    retry_at: "timestamp with time zone | null",
    type: "text | null",
    status: "text | null",
    action_data: "jsonb | null",
    mode: "text | null",
    executed_by: "text | null",
    mod_id: "bigint | null",
    mod: "jsonb | null",
  },
);

export const recordExecution = sqlFunction(
  "autoexec_private.record_execution",
  {
    p_action_id: "bigint",
    p_mode: "text",
    p_executed_by: "text",
    p_output: "jsonb",
    p_rollback_data: "jsonb",
    p_duration_ms: "integer",
    p_force_reason: "text | null",
  },
  { log_id: "bigint", tier: "smallint", time_to_execute_s: "double precision | null" },
);

export const recordFailure = sqlFunction(
  "autoexec_private.record_failure",
  {
    p_action_id: "bigint",
    p_mode: "text",
    p_executed_by: "text",
    p_error: "text",
    p_duration_ms: "integer",
    p_force_reason: "text | null",
  },
  { final: "boolean", attempts: "integer" },
);

export const recordInvalid = sqlFunction(
  "autoexec_private.record_invalid",
  { p_action_id: "bigint", p_reason: "text" },
  "void",
);

export const returnForReview = sqlFunction(
  "autoexec_private.return_for_review",
  { p_action_id: "bigint", p_note: "text" },
  "boolean",
);

export const approvalMovedOn = sqlFunction(
  "autoexec_private.approval_moved_on",
  { p_action_id: "bigint", p_change: "jsonb", p_mod_updated_at: "timestamp with time zone | null" },
  "text | null",
);

export const changeHash = sqlFunction("autoexec_private.change_hash", { p_change: "jsonb" }, "text");

/** A transaction-local setting: how the execution's diff reaches tg_execution_logs__record_change. */
export const setConfig = sqlFunction(
  "pg_catalog.set_config",
  { setting_name: "text", new_value: "text", is_local: "boolean" },
  "text",
);

// ---- rollback (src/engine/rollback.ts) --------------------------------------------------------------

export const startRollback = sqlFunction(
  "autoexec_private.start_rollback",
  { p_execution_log_id: "bigint" },
  { action_id: "bigint", action_type: "text", input_data: "jsonb", rollback_data: "jsonb" },
);

export const finishRollback = sqlFunction(
  "autoexec_private.finish_rollback",
  {
    p_execution_log_id: "bigint",
    p_actor: "text",
    p_reason: "text",
    p_forced: "boolean",
    p_conflicts: "jsonb | null",
  },
  "void",
);

// ---- the waiting line (src/tasks/dispatch_waiting.ts) -----------------------------------------------

export const dispatchWaiting = sqlFunction("autoexec_private.dispatch_waiting", {}, "jsonb");
