import { z } from "zod";
import { MAX_PAGE_SIZE } from "./graphql-plugins.ts";
import {
  ErrorResponse,
  ExecuteRequest,
  ExecuteResponse,
  ExecutionLog,
  RollbackRequest,
  RollbackResponse,
  StatsQuery,
  StatsResponse,
} from "./schemas.ts";

const REF = (id: string) => `#/components/schemas/${id}`;

function components(): Record<string, unknown> {
  // Requests are documented as clients send them (ids as numbers or strings), responses as sent.
  const registry = (io: "input" | "output", schemas: z.ZodType[]) => {
    const local = z.registry<{ id: string }>();
    for (const schema of schemas) {
      const id = (schema.meta() as { id?: string } | undefined)?.id;
      if (id) local.add(schema, { ...schema.meta(), id });
    }
    const { schemas: generated } = z.toJSONSchema(local, { io, uri: REF, target: "draft-2020-12" });
    // Component schemas are part of this document: no $schema or $id of their own.
    return Object.fromEntries(
      Object.entries(generated).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
    );
  };
  return {
    ...registry("output", [ExecutionLog, ExecuteResponse, RollbackResponse, StatsResponse, ErrorResponse]),
    ...registry("input", [ExecuteRequest, RollbackRequest]),
  };
}

const json = (id: string) => ({ "application/json": { schema: { $ref: REF(id) } } });
const error = (description: string) => ({ description, content: json("Error") });
/** What any authenticated route may answer besides its own outcomes (see errors.ts). */
const common = {
  "400": error("The body or query is invalid; the message names the field"),
  "401": error("No token, or a token that is expired, forged or malformed"),
  "403": error("The token's role may not do this (viewers read; only admins change anything)"),
  "500": error("An unexpected error; the message carries a reference to find in the server log"),
  "503": error("The database is unreachable, or the statement took too long and was cancelled"),
};
const withBody = {
  ...common,
  // Answered by Node's HTTP server itself, before the app sees the request: no JSON body.
  "408": {
    description: "The request was not sent whole within HTTP_REQUEST_TIMEOUT_MS; the connection is closed",
  },
  "413": error("The body is too large"),
};
const text = (description: string, type: string) => ({
  description,
  content: { [type]: { schema: { type: "string" } } },
});
const object = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object", additionalProperties: true } } },
});
/** The public routes: no token. */
const PUBLIC = { security: [] };

function queryParameters() {
  const schema = z.toJSONSchema(StatsQuery, { io: "input" }) as {
    properties: Record<string, { description?: string }>;
  };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: "query",
    required: false,
    description: property.description,
    schema: { ...property, description: undefined },
  }));
}

let cached: Record<string, unknown> | undefined;

/** GET /api/openapi.json: the REST routes, generated from the same zod schemas that validate them. */
export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "autoexec admin API",
      version: "1.0.0",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
      description:
        "PRD-18's REST routes. The rest of the admin API is GraphQL at /graphql (schema `autoexec`; " +
        `connections return at most ${MAX_PAGE_SIZE} rows a page). Every route needs a bearer JWT (HS256) ` +
        "with `sub` and `role` (admin or viewer).",
    },
    components: {
      schemas: components(),
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
    servers: [{ url: "/", description: "The server that serves this document" }],
    security: [{ bearer: [] }],
    tags: [
      { name: "executions", description: "PRD-18's execution routes" },
      { name: "operations", description: "Health, readiness, metrics and this document (no token)" },
    ],
    paths: {
      "/api/monetization/execute": {
        post: {
          operationId: "executeAction",
          tags: ["executions"],
          summary: "Execute one action now (admins only)",
          description:
            "Runs the action through the engine's guards, or past them with `force` and a `reason`. Force is " +
            "the admin's override of the guards that judge the action, and it is accountable: the execution " +
            "log has the caller (`sub`) as `executedBy` with `forced` and `forceReason`, an audit event " +
            "(`action.force_executed`, or `action.force_failed`) records who, why and the outcome, and a " +
            "forced live Tier 2 action records the caller as its approver. Force does not override the " +
            "operators' switches: with the engine " +
            "switched off or the action's type disabled the answer is 409, and in dry run (global or the " +
            "type's) the forced execution is a dry run. A Tier 3 action is refused whatever the flag.",
          requestBody: { required: true, content: json("ExecuteRequest") },
          responses: {
            "200": {
              description: "An execution ran; `success` says whether it worked",
              content: json("ExecuteResponse"),
            },
            ...withBody,
            "404": error("No such action"),
            "409": error(
              "Not executable now (Tier 3, finished, held back by a guard or, even forced, by a switch); see decision",
            ),
            "422": error("The handler refused the action's data; the action is now INVALID"),
          },
        },
      },
      "/api/monetization/execute/rollback": {
        post: {
          operationId: "rollbackExecution",
          tags: ["executions"],
          summary: "Roll one execution back (admins only)",
          description:
            "Undoes a live execution with its handler and stored rollback data. When the content changed since, " +
            "the answer is 409 with `conflicts`; `force` then undoes only what the execution added.",
          requestBody: { required: true, content: json("RollbackRequest") },
          responses: {
            "200": { description: "Rolled back", content: json("RollbackResponse") },
            ...withBody,
            "404": error("No such execution"),
            "409": error(
              "Not rollbackable (failed, dry run, already rolled back, purged), in conflict, or (forced) nothing left to undo",
            ),
          },
        },
      },
      "/api/monetization/execution/stats": {
        get: {
          operationId: "getExecutionStats",
          tags: ["executions"],
          summary: "Execution statistics and success metrics (admins and viewers)",
          parameters: queryParameters(),
          responses: {
            "200": { description: "Statistics", content: json("ExecutionStats") },
            ...common,
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "getHealth",
          tags: ["operations"],
          summary: "Liveness: the process answers (never touches the database)",
          ...PUBLIC,
          responses: { "200": object('Alive: `{"status": "ok"}`') },
        },
      },
      "/readyz": {
        get: {
          operationId: "getReadiness",
          tags: ["operations"],
          summary:
            "Readiness: the database answers and its migrations are current (workers are reported, not required)",
          ...PUBLIC,
          responses: {
            "200": object("Ready; `checks` says what was checked, including how many workers report"),
            "503": object("Not ready; `checks` names what failed"),
          },
        },
      },
      "/metrics": {
        get: {
          operationId: "getMetrics",
          tags: ["operations"],
          summary: "Prometheus metrics: the engine's figures (from the database) and this process's",
          ...PUBLIC,
          responses: { "200": text("Prometheus text exposition format", "text/plain") },
        },
      },
      "/api/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          tags: ["operations"],
          summary: "This document",
          ...PUBLIC,
          responses: { "200": object("The OpenAPI 3.1 document") },
        },
      },
    },
  };
  return cached;
}
