import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type pg from "pg";
import type { Registry } from "prom-client";
import { handlers as defaultHandlers } from "../handlers/index.ts";
import type { ActionHandler } from "../handlers/types.ts";
import type { Logger } from "../logger.ts";
import { type AppEnv, authenticate } from "./auth.ts";
import { handleError, jsonError } from "./errors.ts";
import { executionRoutes } from "./executions.ts";
import { GRAPHQL_PATH, MAX_GRAPHQL_BODY, mountGraphql } from "./graphql.ts";
import { healthRoutes } from "./health.ts";
import { secretKey } from "./jwt.ts";
import { serverMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import type { RequestBudget } from "./request-budget.ts";
import { statsRoutes } from "./stats.ts";
import { uiRoutes } from "./ui.ts";

/** REST bodies are a few ids and a reason. */
export const MAX_REST_BODY = 16 * 1024;

export interface AppDeps {
  /** As autoexec_server (see createServerPools): GraphQL and reads, as the JWT's role. */
  pool: pg.Pool;
  /** As autoexec_executor: the REST execute and rollback routes. */
  executorPool: pg.Pool;
  jwtSecret: string;
  log: Logger;
  handlers?: ReadonlyMap<string, ActionHandler>;
  /** More metrics for /metrics (npm start: its in-process worker's). */
  alsoServeMetrics?: Registry[];
  /** Serve GraphiQL (Ruru) at /graphiql; default true. */
  graphiql?: boolean;
  /** What one GraphQL request may cost (config: GRAPHQL_MAX_*); default DEFAULT_REQUEST_BUDGET. */
  budget?: RequestBudget;
}

export interface App {
  app: Hono<AppEnv>;
  /** Releases PostGraphile (the pools belong to the caller). */
  close(): Promise<void>;
}

/**
 * The admin API on one Hono app: /healthz (public), /graphql (PostGraphile), /graphiql (public page:
 * it holds no data and sends the token you give it), /api/monetization/* (PRD-18's REST routes) and
 * /api/openapi.json. Everything but health, the OpenAPI document and the GraphiQL page needs a JWT.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const key = secretKey(deps.jwtSecret);
  const log = deps.log.child({ component: "http" });
  const app = new Hono<AppEnv>();
  const metrics = serverMetrics({ pool: deps.pool, alsoServe: deps.alsoServeMetrics });

  app.use(metrics.middleware);
  app.use(requestId());
  app.use(secureHeaders());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    log.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  });
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: (c) => jsonError(c, 413, `the request body is larger than ${limit} bytes`),
    });

  app.route("/", healthRoutes({ pool: deps.pool }));
  app.route("/", metrics.routes);
  app.get("/api/openapi.json", (c) => c.json(openApiDocument()));

  app.use("/api/*", tooLarge(MAX_REST_BODY), authenticate(key));
  const handlers = deps.handlers ?? defaultHandlers;
  app.route("/api/monetization", executionRoutes({ executorPool: deps.executorPool, handlers, log }));
  app.route("/api/monetization", statsRoutes({ pool: deps.pool }));

  app.use(GRAPHQL_PATH, tooLarge(MAX_GRAPHQL_BODY), authenticate(key));
  const graphql = await mountGraphql(app, {
    pool: deps.pool,
    log,
    graphiql: deps.graphiql,
    preview: { pool: deps.executorPool, handlers },
    budget: deps.budget,
  });
  // The admin UI (static files under /admin, built from web/): public pages that hold no data.
  app.route("/", uiRoutes());

  app.notFound((c) => jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.onError(handleError(log));
  return { app, close: graphql.release };
}
