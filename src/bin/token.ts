import pino from "pino";
import { API_ROLES, resolveJwtSecret, secretKey, signToken } from "../http/jwt.ts";
import { loadConfigOrExit, parseCli } from "./cli.ts";

const usage = `npm run token -- --role admin|viewer --sub NAME [--expires-in 12h]
Prints a bearer token (HS256 JWT) for the admin API, signed with JWT_SECRET (without DATABASE_URL and
JWT_SECRET: the embedded database's development secret, the one npm start uses).
  curl -H "Authorization: Bearer $(npm run -s token -- --role admin --sub alice)" http://127.0.0.1:3000/api/monetization/execution/stats`;

const values = parseCli(usage, {
  role: { type: "string" },
  sub: { type: "string" },
  "expires-in": { type: "string", default: "12h" },
});
if (!values.role || !(API_ROLES as readonly string[]).includes(values.role) || !values.sub) {
  console.error(`--role (admin or viewer) and --sub are required\n\n${usage}`);
  process.exit(2);
}
const config = loadConfigOrExit();
// Logs go to stderr: stdout is the token alone.
const log = pino({ level: config.LOG_LEVEL, base: { service: "autoexec" } }, pino.destination(2));
try {
  const secret = await resolveJwtSecret(config, log);
  const expiresIn = values["expires-in"];
  console.log(await signToken({ sub: values.sub, role: values.role }, secretKey(secret), expiresIn));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
