import "./graphile-env.ts";
import type { Context, Hono } from "hono";
import type pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { SafeError } from "postgraphile/grafast";
import { grafserv } from "postgraphile/grafserv/hono/v4";
import { GraphQLError, Kind, parse } from "postgraphile/graphql";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import type { Logger } from "../logger.ts";
import type { AppEnv } from "./auth.ts";
import { pgSettingsFor } from "./db.ts";
import { jsonError, logInternalError, publicDatabaseError } from "./errors.ts";
import { KeepIdPlugin } from "./graphql-inflection.ts";
import { ConditionPlugins, PageSizeCapPlugin } from "./graphql-plugins.ts";
import { type PreviewDeps, previewPlugin } from "./graphql-preview.ts";

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
}

/**
 * PostGraphile v5 on the `autoexec` schema only. Mutations are the schema's SQL functions
 * (approve_action, update_settings, …): the generated create/update/delete mutations are switched off,
 * so every change goes through a function that checks it and writes the audit trail.
 */
export function graphqlPreset(deps: GraphqlDeps): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset],
    disablePlugins: ["PgMutationCreatePlugin", "PgMutationUpdateDeletePlugin", "NodePlugin"],
    plugins: [KeepIdPlugin, PageSizeCapPlugin, ...ConditionPlugins, previewPlugin(deps.preview)],
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

/**
 * In front of POST /graphql: the body must be one JSON request, and a viewer may not send a mutation
 * (403 before any SQL runs; the database refuses it too: viewers cannot execute the functions).
 */
export async function guardGraphqlRequest(c: Context<AppEnv>, next: () => Promise<void>) {
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
  const request = body as { query?: unknown; operationName?: unknown } | null;
  if (
    !request ||
    typeof request !== "object" ||
    Array.isArray(request) ||
    typeof request.query !== "string"
  ) {
    return jsonError(c, 400, "the body must be one GraphQL request: {query, variables?, operationName?}");
  }
  if (c.get("principal").role !== "admin" && changesAnything(request.query, request.operationName)) {
    return jsonError(c, 403, "viewers may only read: mutations need an admin token");
  }
  return next();
}

function changesAnything(query: string, operationName: unknown): boolean {
  let document: ReturnType<typeof parse>;
  try {
    document = parse(query);
  } catch {
    return false; // GraphQL itself answers with the syntax error
  }
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const chosen =
    typeof operationName === "string"
      ? operations.filter((operation) => operation.name?.value === operationName)
      : operations;
  return chosen.some((operation) => operation.operation !== "query");
}

/** Builds the schema and adds POST /graphql, GET /graphiql and its static files to `app`. */
export async function mountGraphql(
  app: Hono<AppEnv>,
  deps: GraphqlDeps,
): Promise<{ release(): Promise<void> }> {
  const pgl = postgraphile(graphqlPreset(deps));
  const serv = pgl.createServ(grafserv);
  await serv.addTo(app as unknown as Hono);
  await pgl.getSchema();
  return {
    release: async () => {
      await pgl.release();
    },
  };
}
