import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINE_ERROR_STATUSES } from "../src/http/errors.ts";

const root = path.join(import.meta.dirname, "..");

/** The rows of docs/errors.md's table: code and HTTP status. */
async function documentedCodes(): Promise<Record<string, number>> {
  const text = await readFile(path.join(root, "docs", "errors.md"), "utf8");
  const rows = [...text.matchAll(/^\| `(AE\d{3})` +\|[^|]+\| (\d{3}) +\|/gm)];
  return Object.fromEntries(rows.map((row) => [row[1], Number(row[2])]));
}

/** Every `raise exception` statement in sql/functions, with the file it is in. */
async function raiseStatements(): Promise<Array<{ file: string; statement: string }>> {
  const dir = path.join(root, "sql", "functions");
  const found: Array<{ file: string; statement: string }> = [];
  for (const file of (await readdir(dir)).sort()) {
    const text = await readFile(path.join(dir, file), "utf8");
    for (const match of text.matchAll(/raise exception\b[\s\S]*?;\s*$/gm)) {
      found.push({ file, statement: match[0] });
    }
  }
  return found;
}

describe("the engine's error codes (docs/errors.md)", () => {
  it("docs/errors.md and the API map the same codes to the same statuses", async () => {
    expect(await documentedCodes()).toEqual(ENGINE_ERROR_STATUSES);
  });

  it("every raise exception in sql/functions carries a documented code", async () => {
    const documented = new Set(Object.keys(await documentedCodes()));
    const statements = await raiseStatements();
    expect(statements.length).toBeGreaterThan(50);
    const withoutCode = statements
      .map(({ file, statement }) => ({ file, code: /errcode = '(\w{5})'/.exec(statement)?.[1] ?? "none" }))
      // 40001 is kept on purpose (docs/errors.md): retry loops already know what it asks for.
      .filter(
        ({ file, code }) =>
          !documented.has(code) && !(code === "40001" && file === "autoexec.propose_action.sql"),
      );
    expect(withoutCode).toEqual([]);
  });
});
