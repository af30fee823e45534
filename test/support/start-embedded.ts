// Child process for test/embedded.test.ts: starts the embedded PostgreSQL in argv[2], prints its
// postmaster pid, then waits to be killed.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startEmbeddedPostgres } from "../../src/db/embedded.ts";
import { createLogger } from "../../src/logger.ts";

const dataDir = process.argv[2] as string;
await startEmbeddedPostgres({ dataDir, log: createLogger("silent") });
const pid = (await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0];
console.log(`postmaster ${pid}`);
setInterval(() => {}, 60_000);
