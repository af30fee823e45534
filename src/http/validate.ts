import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { describeIssues } from "../issues.ts";

function badRequest(message: string): HTTPException {
  return new HTTPException(400, { message });
}

/** The JSON body parsed by `schema`, or a 400 (415 for another media type) with a message. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HTTPException(415, { message: "the body must be JSON (Content-Type: application/json)" });
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw badRequest("the body is not valid JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

/** The query string parsed by `schema`, or a 400. */
export function queryParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}
