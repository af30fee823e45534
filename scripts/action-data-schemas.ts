// Writes sql/action-data-schemas/<TYPE>.schema.json from the handlers' zod schemas (npm run
// schemas); `npm run migrate` loads them into autoexec.action_types.data_schema. A test fails when
// the files are not what the handlers generate.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { handlers } from "../src/handlers/index.ts";
import { actionDataJsonSchema } from "../src/handlers/json-schema.ts";

const dir = path.resolve(import.meta.dirname, "../sql/action-data-schemas");
await mkdir(dir, { recursive: true });
for (const handler of handlers.values()) {
  const file = path.join(dir, `${handler.type}.schema.json`);
  await writeFile(file, `${JSON.stringify(actionDataJsonSchema(handler), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
// In the repository's format (Biome's), so regenerating changes nothing when the handlers did not.
execFileSync("biome", ["format", "--write", dir], { stdio: "ignore" });
