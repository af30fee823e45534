import "./graphile-env.ts";
import type { Context, Hono } from "hono";
import type pg from "pg";
import { postgraphile } from "postgraphile";
import { TYPES } from "postgraphile/@dataplan/pg";
import { makePgService } from "postgraphile/adaptors/pg";
import { isAsyncIterable, SafeError } from "postgraphile/grafast";
import { grafserv } from "postgraphile/grafserv/hono/v4";
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, parse } from "postgraphile/graphql";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import type { Logger } from "../logger.ts";
import type { AppEnv } from "./auth.ts";
import { pgSettingsFor } from "./db.ts";
import { jsonError, logInternalError, publicDatabaseError } from "./errors.ts";
import { KeepIdPlugin } from "./graphql-inflection.ts";
import { ConditionPlugins, PageSizeCapPlugin } from "./graphql-plugins.ts";
import { type PreviewDeps, previewPlugin } from "./graphql-preview.ts";
import { VocabulariesPlugin } from "./graphql-vocabularies.ts";
import {
  checkDocument,
  checkVariables,
  DEFAULT_REQUEST_BUDGET,
  MAX_DOCUMENT_TOKENS,
  measureAnswer,
  meterJsonDecoding,
  meterPool,
  overBudgetError,
  type RequestBudget,
  ResponseMeter,
  responseMeters,
} from "./request-budget.ts";

export const GRAPHQL_PATH = "/graphql";
export const GRAPHIQL_PATH = "/graphiql";
export const GRAPHIQL_STATIC_PATH = "/graphiql-static/";
/** Bytes; GraphQL documents and variables are small. */
export const MAX_GRAPHQL_BODY = 100_000;

export interface GraphqlDeps {
  /** Connections as autoexec_server; every request sets the JWT's role (pgSettings). */
  pool: pg.Pool;
  log: Logger;
  graphiql?: boolean;
  /** The engine, for actionPreview and rollbackPreview. */
  preview: PreviewDeps;
  /** What one request may cost; default DEFAULT_REQUEST_BUDGET. */
  budget?: RequestBudget;
}

/**
 * Measures the answer before it is turned into JSON: aliases that repeat one large page share its
 * values in memory, but each copy would be written out (see request-budget.ts).
 */
const AnswerSizePlugin: GraphileConfig.Plugin = {
  name: "AutoexecAnswerSizePlugin",
  version: "1.0.0",
  grafast: {
    middleware: {
      async execute(next) {
        const result = await next();
        const meter = responseMeters.getStore();
        if (!meter || isAsyncIterable(result)) return result;
        if (meter.exceeded || !measureAnswer(meter, result.data)) return { errors: [overBudgetError(meter)] };
        return result;
      },
    },
  },
};

/**
 * PostGraphile v5 on the `autoexec` schema only. Mutations are the schema's SQL functions
 * (approve_action, update_settings, …): the generated create/update/delete mutations are switched off,
 * so every change goes through a function that checks it and writes the audit trail.
 */
export function graphqlPreset(deps: GraphqlDeps): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset],
    disablePlugins: ["PgMutationCreatePlugin", "PgMutationUpdateDeletePlugin", "NodePlugin"],
    plugins: [
      KeepIdPlugin,
      VocabulariesPlugin,
      PageSizeCapPlugin,
      AnswerSizePlugin,
      ...ConditionPlugins,
      previewPlugin(deps.preview),
    ],
    pgServices: [makePgService({ pool: deps.pool, schemas: ["autoexec"] })],
    grafserv: {
      graphqlPath: GRAPHQL_PATH,
      graphiql: deps.graphiql ?? true,
      graphiqlPath: GRAPHIQL_PATH,
      graphiqlStaticPath: GRAPHIQL_STATIC_PATH,
      graphiqlOnGraphQLGET: false,
      graphqlOverGET: false,
      websockets: false,
      watch: false,
      maxRequestLength: MAX_GRAPHQL_BODY,
      maskError: (error) => maskGraphqlError(error, deps.log),
    },
    grafast: {
      explain: false,
      // The JWT was verified by the auth middleware (app.ts), which put the principal on the Hono
      // context; no principal (a route mounted without it) fails closed.
      context(requestContext) {
        const ctx = requestContext.honov4?.ctx as Context<AppEnv> | undefined;
        const principal = ctx?.get("principal");
        if (!principal) throw new SafeError("not authenticated", { statusCode: 401 });
        return { pgSettings: pgSettingsFor(principal) };
      },
    },
  };
}

/**
 * Errors a person should read (our functions' messages, validation, page-size refusals) pass; anything
 * else (SQL, internal failures) is replaced by a reference and logged.
 */
export function maskGraphqlError(error: GraphQLError, log: Logger): GraphQLError {
  const meter = responseMeters.getStore();
  // Its connection was cut on purpose; the error that caused is not one to log or show.
  if (meter?.exceeded) return new GraphQLError(meter.message, { path: error.path });
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) return error;
  if (original instanceof SafeError) return error;
  const known = publicDatabaseError(original);
  const message = known
    ? known.message
    : `internal error (reference ${logInternalError(log, original, { path: error.path })}); the server log has the details`;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: undefined,
    extensions: known ? { code: (original as { code?: string }).code } : {},
  });
}

/** A GraphQL-shaped refusal, so GraphQL clients show its message. */
function graphqlRefusal(c: Context, status: 400 | 413 | 503, message: string, code: string): Response {
  return c.json({ errors: [{ message, extensions: { code } }] }, status);
}

/**
 * In front of POST /graphql: the body must be one JSON request (no batches), within the request
 * budget (measured here, before graphql-js validates or anything runs: some of its rules cost more
 * than linear time on hostile documents), and a viewer may not send a mutation (403 before any SQL
 * runs; the database refuses it too). The request then runs metered: over its byte budget it is
 * stopped and answered 413.
 */
export function graphqlGuard(schema: GraphQLSchema, budget: RequestBudget, log: Logger) {
  return async (c: Context<AppEnv>, next: () => Promise<void>) => {
    if (c.req.method !== "POST") return next();
    if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
      return jsonError(c, 415, "GraphQL requests are JSON (Content-Type: application/json)");
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return jsonError(c, 400, "the body is not valid JSON");
    }
    const request = body as { query?: unknown; operationName?: unknown; variables?: unknown } | null;
    if (
      !request ||
      typeof request !== "object" ||
      Array.isArray(request) ||
      typeof request.query !== "string"
    ) {
      return jsonError(
        c,
        400,
        "the body must be one GraphQL request: {query, variables?, operationName?} (batches are not accepted)",
      );
    }
    const variablesProblem = checkVariables(request.variables, budget);
    if (variablesProblem) return graphqlRefusal(c, 400, variablesProblem, "OVER_BUDGET");
    const document = parseWithinBudget(request.query);
    if (typeof document === "string") return graphqlRefusal(c, 400, document, "OVER_BUDGET");
    if (document && c.get("principal").role !== "admin" && changesAnything(document, request.operationName)) {
      return jsonError(c, 403, "viewers may only read: mutations need an admin token");
    }
    const problem = document && measureWithinStack(() => checkDocument(document, schema, budget));
    if (problem) return graphqlRefusal(c, 400, problem, "OVER_BUDGET");
    const meter = new ResponseMeter(budget);
    const deadline = setTimeout(() => meter.timeOut(), budget.maxMs);
    try {
      await responseMeters.run(meter, next);
    } finally {
      clearTimeout(deadline);
    }
    if (!meter.exceeded) return;
    // Its database connection may have been cut (the pool logs that as a lost connection).
    log.info(
      { requestId: c.get("requestId"), limit: meter.message },
      "GraphQL request stopped: over its budget",
    );
    c.res = meter.timedOut
      ? graphqlRefusal(c, 503, meter.message, "REQUEST_TIMEOUT")
      : graphqlRefusal(c, 413, meter.message, "RESPONSE_TOO_LARGE");
  };
}

const TOO_DEEP_TO_READ = "the query is nested too deeply to read";

/** A walk that ran out of stack is a document nested too deeply, not a server error. */
function measureWithinStack(measure: () => string | undefined): string | undefined {
  try {
    return measure();
  } catch (error) {
    if (error instanceof RangeError) return TOO_DEEP_TO_READ;
    throw error;
  }
}

/**
 * The parsed document; a refusal when it has too many tokens or is nested too deeply to parse;
 * undefined for a syntax error, which GraphQL itself then answers.
 */
function parseWithinBudget(query: string): DocumentNode | string | undefined {
  try {
    return parse(query, { maxTokens: MAX_DOCUMENT_TOKENS, noLocation: true });
  } catch (error) {
    if (error instanceof RangeError) return TOO_DEEP_TO_READ;
    const message = (error as Error).message;
    if (/contains more th\w+ \d+ tokens/.test(message))
      return `the query has more than ${MAX_DOCUMENT_TOKENS} tokens`;
    return undefined;
  }
}

function changesAnything(document: DocumentNode, operationName: unknown): boolean {
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const chosen =
    typeof operationName === "string"
      ? operations.filter((operation) => operation.name?.value === operationName)
      : operations;
  return chosen.some((operation) => operation.operation !== "query");
}

/**
 * Builds the schema and adds POST /graphql (behind graphqlGuard), GET /graphiql and its static files
 * to `app`.
 */
export async function mountGraphql(
  app: Hono<AppEnv>,
  deps: GraphqlDeps,
): Promise<{ release(): Promise<void> }> {
  meterPool(deps.pool);
  meterJsonDecoding([TYPES.json, TYPES.jsonb]);
  const pgl = postgraphile(graphqlPreset(deps));
  app.use(GRAPHQL_PATH, graphqlGuard(await pgl.getSchema(), deps.budget ?? DEFAULT_REQUEST_BUDGET, deps.log));
  const serv = pgl.createServ(grafserv);
  await serv.addTo(app as unknown as Hono);
  return {
    release: async () => {
      await pgl.release();
    },
  };
}
