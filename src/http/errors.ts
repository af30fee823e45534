import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../logger.ts";

/** Every error the API returns: `{success: false, error}`; never SQL, never a stack. */
export function errorBody(error: string, extra: Record<string, unknown> = {}) {
  return { success: false as const, error, ...extra };
}

export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  extra: Record<string, unknown> = {},
) {
  return c.json(errorBody(error, extra), status);
}

/**
 * The engine's own SQLSTATEs (docs/errors.md): every `raise exception` in sql/functions carries one,
 * and its message is written for people, so it is shown as is with the status here.
 */
export const ENGINE_ERROR_STATUSES: Record<string, ContentfulStatusCode> = {
  AE001: 400, // a value is refused
  AE002: 400, // a reason is required
  AE003: 400, // more at once than the engine takes
  AE004: 404, // not found
  AE005: 409, // not in a state that allows it
  AE006: 403, // not allowed, whoever asks
};

/** PostgreSQL's own codes for a client's value it cannot take; its message names the value. */
const INPUT_SQLSTATES: Record<string, ContentfulStatusCode> = {
  "22P02": 400, // invalid input syntax (e.g. an interval)
  "22003": 400, // numeric value out of range
  "22007": 400, // invalid datetime format
  "22008": 400, // datetime field overflow
  "22001": 400, // value too long for its column
  "2201W": 400, // LIMIT must not be negative
  "2201X": 400, // OFFSET must not be negative
};

/** Client mistakes whose database message says too little (or too much): the message shown instead. */
const REPHRASED_SQLSTATES: Record<string, string> = {
  "22021": "text may not contain the NUL character (U+0000)", // invalid byte sequence for UTF8: 0x00
  "22P05": "text may not contain the NUL character (U+0000)", // \u0000 in JSON (jsonb cannot hold it)
  "54001": "the input is nested too deeply", // stack depth limit exceeded
};

interface PgLikeError {
  code?: unknown;
  column?: unknown;
  message?: unknown;
  severity?: unknown;
}

/** The status and message to show for a database error, or undefined when it must be masked. */
export function publicDatabaseError(
  error: unknown,
): { status: ContentfulStatusCode; message: string } | undefined {
  const pgError = error as PgLikeError | null;
  if (!pgError || typeof pgError.code !== "string" || typeof pgError.message !== "string") return undefined;
  if (typeof pgError.severity !== "string") return undefined; // not from the server
  if (pgError.code === "42501") return { status: 403, message: "permission denied" };
  if (pgError.code === "57014")
    return { status: 503, message: "the statement took too long and was cancelled" };
  const rephrased = REPHRASED_SQLSTATES[pgError.code];
  if (rephrased) return { status: 400, message: rephrased };
  if (pgError.code === "23502") {
    // A function let a missing (null) argument through to a not-null column: name the column only.
    const column = typeof pgError.column === "string" ? ` (${pgError.column})` : "";
    return { status: 400, message: `a required value is missing${column}` };
  }
  const status = ENGINE_ERROR_STATUSES[pgError.code] ?? INPUT_SQLSTATES[pgError.code];
  return status ? { status, message: pgError.message } : undefined;
}

/** Logs an unexpected error with a reference and returns the reference shown to the client. */
export function logInternalError(log: Logger, error: unknown, context: Record<string, unknown> = {}): string {
  const reference = randomUUID().slice(0, 8);
  log.error({ err: error, reference, ...context }, "internal error");
  return reference;
}

/** app.onError: HTTP errors keep their status and message; everything else is masked and logged. */
export function handleError(log: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof HTTPException) {
      if (error.res) return error.res;
      return jsonError(c, error.status as ContentfulStatusCode, error.message || "request refused");
    }
    // grafserv throws its request errors (unsupported media type, bad body, …) with an HTTP status.
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return jsonError(c, status as ContentfulStatusCode, error.message);
    }
    const known = publicDatabaseError(error);
    if (known) return jsonError(c, known.status, known.message);
    const reference = logInternalError(log, error, { method: c.req.method, path: c.req.path });
    return jsonError(c, 500, `internal error (reference ${reference}); the server log has the details`);
  };
}
