import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";

/** The API's two roles; each runs as the Postgres role `autoexec_<role>`. */
export const API_ROLES = ["admin", "viewer"] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface Principal {
  /** Who is acting (the JWT subject): recorded as the actor of approvals, rollbacks and audit events. */
  sub: string;
  role: ApiRole;
}

/** The only algorithm accepted: a token signed with anything else (or `none`) is refused. */
const ALGORITHM = "HS256";
export const MIN_SECRET_LENGTH = 32;

const Claims = z.object({
  // Printable, no control characters: it ends up in logs and audit rows.
  sub: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}]+$/u, "must not contain control characters"),
  role: z.string(),
});

export type VerifyResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; error: string };

/** Turns a secret string into the HMAC key jose signs and verifies with. */
export function secretKey(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

/**
 * Verifies a bearer token: HS256 only, signature, `exp` required and in the future, `sub` and `role`
 * present. A token that is fine but whose role is neither admin nor viewer is a 403, everything else 401.
 */
export async function verifyToken(token: string, key: Uint8Array): Promise<VerifyResult> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      requiredClaims: ["sub", "exp"],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      return { ok: false, status: 401, error: "the token has expired" };
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      return { ok: false, status: 401, error: `the token's ${error.claim} claim is missing or invalid` };
    }
    return { ok: false, status: 401, error: "the token is not valid (bad signature, algorithm or format)" };
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    const issue = claims.error.issues[0];
    return {
      ok: false,
      status: 401,
      error: `the token's ${String(issue?.path[0])} claim is missing or invalid`,
    };
  }
  const role = claims.data.role;
  if (!(API_ROLES as readonly string[]).includes(role)) {
    return {
      ok: false,
      status: 403,
      error: `the role "${role}" has no access to the admin API (admin or viewer)`,
    };
  }
  return { ok: true, principal: { sub: claims.data.sub, role: role as ApiRole } };
}

/** Signs a token for `npm run token` and the tests. */
export async function signToken(
  principal: { sub: string; role: string },
  key: Uint8Array,
  expiresIn: string | number = "12h",
): Promise<string> {
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

/**
 * JWT_SECRET when set. Without it: refused when DATABASE_URL is set (a real deployment must choose its
 * secret); on the embedded development database, a random secret generated once into
 * `<EMBEDDED_PG_DIR>/../dev-jwt-secret`, so `npm run token` and `npm start` agree.
 */
export async function resolveJwtSecret(config: Config, log: Logger): Promise<string> {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (config.DATABASE_URL || config.SERVER_DATABASE_URL) {
    throw new Error(
      "JWT_SECRET is required with DATABASE_URL or SERVER_DATABASE_URL (at least 32 characters, e.g. `openssl rand -hex 32`)",
    );
  }
  const file = devSecretFile(config);
  let secret: string;
  try {
    secret = (await readFile(file, "utf8")).trim();
  } catch {
    secret = randomBytes(32).toString("hex");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" }).catch(async () => {
      secret = (await readFile(file, "utf8")).trim(); // another process wrote it first
    });
    await chmod(file, 0o600);
  }
  log.warn(
    { file },
    "JWT_SECRET is not set: using the development secret generated for the embedded database; set JWT_SECRET in production",
  );
  return secret;
}

export function devSecretFile(config: Config): string {
  return path.resolve(path.dirname(path.resolve(config.EMBEDDED_PG_DIR)), "dev-jwt-secret");
}
