import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { jsonError } from "./errors.ts";
import { type Principal, verifyToken } from "./jwt.ts";

/** What the app's middleware puts on the request context. */
export interface AppEnv {
  Variables: {
    principal: Principal;
  };
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/**
 * Requires `Authorization: Bearer <JWT>` (see jwt.ts for what is checked) and puts the principal on
 * the context. 401 without a valid token, 403 for a valid token of a role the API does not serve.
 */
export function authenticate(key: Uint8Array): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) return unauthorized(c, "a bearer token is required (Authorization: Bearer <JWT>)");
    const match = BEARER.exec(header.trim());
    if (!match?.[1]) return unauthorized(c, "the Authorization header must be `Bearer <JWT>`");
    const result = await verifyToken(match[1], key);
    if (!result.ok) {
      return result.status === 401 ? unauthorized(c, result.error) : jsonError(c, 403, result.error);
    }
    c.set("principal", result.principal);
    await next();
  });
}

/** For every route that changes something: admins only. */
export const requireAdmin: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("principal")?.role !== "admin") {
    return jsonError(
      c,
      403,
      `only admins may change anything; this token's role is ${c.get("principal")?.role}`,
    );
  }
  await next();
});

function unauthorized(c: Parameters<MiddlewareHandler<AppEnv>>[0], error: string) {
  c.header("WWW-Authenticate", 'Bearer realm="autoexec", error="invalid_token"');
  return jsonError(c, 401, error);
}
