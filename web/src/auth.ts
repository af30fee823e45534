// The bearer token: pasted by the admin, kept in sessionStorage for this browser session only.

const KEY = "autoexec.token";

export type Role = "admin" | "viewer";

export interface Session {
  token: string;
  sub: string;
  role: Role;
  /** Expiry, in milliseconds since the epoch. */
  expiresAt: number;
}

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * Reads the token's claims (without verifying: the server does that on every request). Returns an
 * error a person can act on when the text is not a JWT, lacks claims or has expired.
 */
export function decodeToken(raw: string): { ok: true; session: Session } | { ok: false; error: string } {
  const token = raw.trim().replace(/^Bearer\s+/i, "");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[0] || !parts[1]) {
    return { ok: false, error: "That is not a token: a JWT has three parts separated by dots." };
  }
  let claims: { sub?: unknown; role?: unknown; exp?: unknown };
  try {
    const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
    claims = JSON.parse(json) as typeof claims;
  } catch {
    return { ok: false, error: "That is not a token: its claims cannot be read." };
  }
  if (typeof claims.exp !== "number") return { ok: false, error: "The token has no expiry (exp claim)." };
  if (claims.exp * 1000 <= Date.now()) {
    return {
      ok: false,
      error: `The token expired at ${new Date(claims.exp * 1000).toLocaleString()}. Sign a new one (npm run token).`,
    };
  }
  if (claims.role !== "admin" && claims.role !== "viewer") {
    return {
      ok: false,
      error: `The token's role is ${JSON.stringify(claims.role)}; the admin UI needs admin or viewer.`,
    };
  }
  if (typeof claims.sub !== "string" || !claims.sub) {
    return { ok: false, error: "The token has no subject (sub claim)." };
  }
  return { ok: true, session: { token, sub: claims.sub, role: claims.role, expiresAt: claims.exp * 1000 } };
}
