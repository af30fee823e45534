import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Config, SetupError } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "./database.ts";

export type LoginRole = "autoexec_worker" | "autoexec_server";

const URL_SETTING: Record<LoginRole, "WORKER_DATABASE_URL" | "SERVER_DATABASE_URL"> = {
  autoexec_worker: "WORKER_DATABASE_URL",
  autoexec_server: "SERVER_DATABASE_URL",
};

/**
 * The connection string a process should use for `role` (see sql/migrations/005_api_roles.sql).
 * WORKER_DATABASE_URL / SERVER_DATABASE_URL when set. On the embedded database the role gets a fresh
 * random password, so `npm start` runs worker and server as their least-privilege roles with nothing
 * to configure. Otherwise DATABASE_URL, with a warning when that login can do more than it should.
 */
export async function loginUrl(
  config: Config,
  database: Database,
  role: LoginRole,
  log: Logger,
): Promise<string> {
  const configured = config[URL_SETTING[role]];
  if (configured) return configured;
  if (!database.embedded) {
    log.warn(
      { role },
      `${URL_SETTING[role]} is not set: connecting with DATABASE_URL instead of as ${role} (least privilege); see README`,
    );
    return database.url;
  }
  const password = randomBytes(24).toString("hex");
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    await admin.query(`alter role ${role} with login password ${admin.escapeLiteral(password)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(database.url);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** Logs a warning when the pool's login is a superuser or bypasses row-level security. */
export async function warnIfPrivileged(pool: pg.Pool, what: string, log: Logger): Promise<void> {
  const { rows } = await pool.query<{ name: string; superuser: boolean; bypassrls: boolean }>(
    "select rolname as name, rolsuper as superuser, rolbypassrls as bypassrls from pg_roles where rolname = session_user",
  );
  const login = rows[0];
  if (login && (login.superuser || login.bypassrls)) {
    log.warn(
      { login: login.name, what },
      `the ${what} connects as ${login.name}, which is a superuser or bypasses row-level security`,
    );
  }
}

/**
 * `npm run migrate -- --set-login-passwords`: each login role whose connection setting is given
 * (WORKER_DATABASE_URL, SERVER_DATABASE_URL) may log in with the password in it. Run as the owner,
 * after migrating; the connection strings' user names must be the roles themselves.
 */
export async function setLoginPasswords(pool: pg.Pool, config: Config, log: Logger): Promise<void> {
  for (const [role, setting] of Object.entries(URL_SETTING) as Array<[LoginRole, keyof Config]>) {
    const value = config[setting];
    if (typeof value !== "string") continue;
    const url = new URL(value);
    if (decodeURIComponent(url.username) !== role || !url.password) {
      throw new SetupError(
        `${setting} must connect as ${role} with a password to set it (postgres://${role}:PASSWORD@host/db)`,
      );
    }
    const password = decodeURIComponent(url.password);
    await pool.query(`alter role ${role} with login password ${pg.escapeLiteral(password)}`);
    log.info({ role }, `${role} may log in with the password in ${setting}`);
  }
}
