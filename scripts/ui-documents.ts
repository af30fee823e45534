// The admin UI's GraphQL documents, checked against web/schema.graphql with graphql-js's own
// validation. gql.tada infers the answers' types, but plain tsc does not report a field the schema
// lacks (it types it unknown), nor a wrong argument or literal: `npm run type-check` runs this too
// (check-ui-documents.ts), and test/ui-documents.test.ts shows it fails.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildSchema, type DocumentNode, Kind, validate } from "graphql";
import * as historyQueries from "../web/src/history-queries.ts";
import * as queries from "../web/src/queries.ts";
import * as queueQueries from "../web/src/queue-queries.ts";
import * as reviewQueries from "../web/src/review-queries.ts";
import * as settingsSave from "../web/src/settings-save.ts";

/** Where the UI keeps its documents: every exported operation of these modules is checked. */
const MODULES = { queries, reviewQueries, historyQueries, queueQueries, settingsSave };

const isOperation = (value: unknown): value is DocumentNode =>
  typeof value === "object" &&
  value !== null &&
  (value as DocumentNode).kind === Kind.DOCUMENT &&
  (value as DocumentNode).definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION);

/** Every operation document the UI exports, by module and name. */
export function uiDocuments(): [string, DocumentNode][] {
  return Object.entries(MODULES).flatMap(([module, exports]) =>
    Object.entries(exports)
      .filter(([, value]) => isOperation(value))
      .map(([name, value]) => [`${module}.${name}`, value as DocumentNode] as [string, DocumentNode]),
  );
}

/** "module.NAME: message" for each validation error of each document against `sdl`. */
export function documentProblems(sdl: string, documents = uiDocuments()): string[] {
  const schema = buildSchema(sdl);
  return documents.flatMap(([name, document]) =>
    validate(schema, document).map((error) => `${name}: ${error.message}`),
  );
}

export const SCHEMA_SDL = path.resolve(import.meta.dirname, "../web/schema.graphql");

export async function committedSchema(): Promise<string> {
  return readFile(SCHEMA_SDL, "utf8");
}
