import "./graphile-env.ts";
import { lambda, SafeError } from "postgraphile/grafast";
import { addPgTableCondition } from "postgraphile/utils";

/** Connections return at most this many rows per page… */
export const MAX_PAGE_SIZE = 100;
/** …and this many when the query asks for neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;

function checkPageSize(name: "first" | "last", value: unknown): number | null {
  if (value == null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new SafeError(`\`${name}\` must be a whole number of 0 or more`);
  }
  if (value > MAX_PAGE_SIZE) {
    throw new SafeError(`\`${name}\` is ${value}; a page holds at most ${MAX_PAGE_SIZE} rows`);
  }
  return value;
}

interface PagedStep {
  setFirst(step: unknown): void;
  setLast(step: unknown): void;
}

function isPaged(step: unknown): step is PagedStep {
  const candidate = step as Partial<PagedStep> | null;
  return typeof candidate?.setFirst === "function" && typeof candidate.setLast === "function";
}

/**
 * Caps every connection's page size: `first`/`last` above MAX_PAGE_SIZE is an error, and a connection
 * asked for without either returns DEFAULT_PAGE_SIZE rows (so nobody reads a million execution logs in
 * one request). Replaces PgFirstLastBeforeAfterArgsPlugin's handling of those two arguments.
 */
export const PageSizeCapPlugin: GraphileConfig.Plugin = {
  name: "AutoexecPageSizeCapPlugin",
  version: "1.0.0",
  after: ["PgFirstLastBeforeAfterArgsPlugin"],
  schema: {
    hooks: {
      // The arguments stay; the wrapped plan below applies them instead of their own applyPlan.
      GraphQLObjectType_fields_field_args(args, _build, context) {
        const { isPgFieldConnection } = context.scope as { isPgFieldConnection?: boolean };
        const specs = args as Record<string, { applyPlan?: unknown; description?: string }>;
        if (!isPgFieldConnection || !specs.first) return args;
        return {
          ...args,
          first: {
            ...specs.first,
            applyPlan: undefined,
            description: `${specs.first.description ?? ""} At most ${MAX_PAGE_SIZE}; without \`first\` or \`last\`, ${DEFAULT_PAGE_SIZE}.`,
          },
          ...(specs.last ? { last: { ...specs.last, applyPlan: undefined } } : {}),
        } as unknown as typeof args;
      },
      GraphQLObjectType_fields_field(field, _build, context) {
        const { isPgFieldConnection } = context.scope as { isPgFieldConnection?: boolean };
        const plan = field.plan as ((...planArgs: never[]) => unknown) | undefined;
        if (!isPgFieldConnection || !plan) return field;
        return {
          ...field,
          plan: ((...planArgs: Parameters<typeof plan>) => {
            const $result = plan(...planArgs);
            const fieldArgs = planArgs[1] as unknown as { getRaw(name: string): never };
            const info = planArgs[2] as unknown as { field: { args: readonly { name: string }[] } };
            const argNames = new Set(info.field.args.map((arg) => arg.name));
            if (isPaged($result) && argNames.has("first"))
              applyPageSize($result, fieldArgs, argNames.has("last"));
            return $result;
          }) as typeof field.plan,
        };
      },
    },
  },
};

function applyPageSize($connection: PagedStep, fieldArgs: { getRaw(name: string): never }, hasLast: boolean) {
  const $first = fieldArgs.getRaw("first");
  if (!hasLast) {
    $connection.setFirst(
      lambda($first, (first: unknown) => checkPageSize("first", first) ?? DEFAULT_PAGE_SIZE),
    );
    return;
  }
  const $last = fieldArgs.getRaw("last");
  $connection.setLast(lambda($last, (last: unknown) => checkPageSize("last", last)));
  $connection.setFirst(
    lambda([$first, $last], ([first, last]: readonly unknown[]) => {
      const checked = checkPageSize("first", first);
      return checked ?? (last == null ? DEFAULT_PAGE_SIZE : null);
    }),
  );
}

type Sql = Parameters<NonNullable<Parameters<typeof addPgTableCondition>[3]>>[1];

/** A `condition` field comparing a timestamptz column with a bound (inclusive from, exclusive until). */
function timeBound(table: string, field: string, column: string, operator: ">=" | "<", description: string) {
  return addPgTableCondition(
    { schemaName: "autoexec", tableName: table },
    field,
    (build) => ({
      description,
      type: build.getTypeByName("Datetime") as never,
    }),
    (value, helpers: Sql) => {
      if (value == null) return null;
      const { sql, sqlTableAlias, sqlValueWithCodec, build } = helpers;
      const bound = sqlValueWithCodec(value, build.dataplanPg.TYPES.timestamptz);
      const target = sql`${sqlTableAlias}.${sql.identifier(column)}`;
      return operator === ">=" ? sql`${target} >= ${bound}` : sql`${target} < ${bound}`;
    },
  );
}

/** Who ran an execution: the engine on its own, after an approval, or a user by hand. */
const ExecutedByKindPlugin = addPgTableCondition(
  { schemaName: "autoexec", tableName: "execution_logs" },
  "executedByKind",
  (build) => ({
    description: "AUTO (the engine, Tier 1), APPROVED (after an admin's approval) or MANUAL (run by a user).",
    type: build.getTypeByName("ExecutedByKind") as never,
  }),
  (value, { sql, sqlTableAlias }) => {
    if (value == null) return null;
    const column = sql`${sqlTableAlias}.executed_by`;
    if (value === "AUTO") return sql`${column} = 'auto'`;
    if (value === "APPROVED") return sql`${column} = 'approved'`;
    return sql`${column} not in ('auto', 'approved')`;
  },
);

/** Equality on a column that has no index of its own (PostGraphile only offers indexed ones). */
function equals(
  table: string,
  field: string,
  column: string,
  type: "Boolean" | "Tier" | "ExecutionMode",
  description: string,
) {
  return addPgTableCondition(
    { schemaName: "autoexec", tableName: table },
    field,
    (build) => ({ description, type: build.getTypeByName(type) as never }),
    (value, { sql, sqlTableAlias, sqlValueWithCodec, build }) => {
      if (value == null) return null;
      const { TYPES } = build.dataplanPg;
      // An enum table's enum (084) carries its rows' text as its values; Tier its number (as text).
      const codec = type === "Tier" ? TYPES.int2 : type === "Boolean" ? TYPES.boolean : TYPES.text;
      return sql`${sqlTableAlias}.${sql.identifier(column)} = ${sqlValueWithCodec(value, codec)}`;
    },
  );
}

const UnreadNotificationsPlugin = addPgTableCondition(
  { schemaName: "autoexec", tableName: "notifications" },
  "unread",
  (build) => ({
    description: "true: not read yet; false: read.",
    type: build.getTypeByName("Boolean") as never,
  }),
  (value, { sql, sqlTableAlias }) => {
    if (value == null) return null;
    return value ? sql`${sqlTableAlias}.read_at is null` : sql`${sqlTableAlias}.read_at is not null`;
  },
);

/** Date ranges, who ran it, mode, outcome and unread, as extra `condition` fields on the API's lists. */
export const ConditionPlugins: GraphileConfig.Plugin[] = [
  ExecutedByKindPlugin,
  timeBound("actions", "createdFrom", "created_at", ">=", "Created at or after this time."),
  timeBound("actions", "createdBefore", "created_at", "<", "Created before this time."),
  equals("execution_logs", "mode", "mode", "ExecutionMode", "live, or dry_run."),
  equals("execution_logs", "success", "success", "Boolean", "Whether the execution succeeded."),
  equals("action_types", "tier", "tier", "Tier", "TIER_1, TIER_2 or TIER_3."),
  UnreadNotificationsPlugin,
  timeBound("execution_logs", "executedFrom", "executed_at", ">=", "Executed at or after this time."),
  timeBound("execution_logs", "executedBefore", "executed_at", "<", "Executed before this time."),
  timeBound("audit_events", "occurredFrom", "occurred_at", ">=", "Happened at or after this time."),
  timeBound("audit_events", "occurredBefore", "occurred_at", "<", "Happened before this time."),
  timeBound("notifications", "createdFrom", "created_at", ">=", "Created at or after this time."),
  timeBound("notifications", "createdBefore", "created_at", "<", "Created before this time."),
];
