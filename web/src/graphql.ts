// Every GraphQL document of the UI is written with `graphql` from here: gql.tada infers each answer's
// and variables' types from the schema the server builds (graphql-env.d.ts, `npm run schema:graphql`),
// so a renamed or removed field fails `npm run type-check` instead of the page.
import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env.d.ts";

export const graphql = initGraphQLTada<{
  introspection: introspection;
  // As PostGraphile sends them: BigInt and BigFloat as strings (exact), JSON as whatever the function
  // returned (typed where it is read, by the shape that function promises).
  scalars: { BigInt: string; BigFloat: string; Datetime: string; Cursor: string; JSON: unknown };
  // Pages read a fragment's fields directly: the fragments here only share selections.
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf } from "gql.tada";

/**
 * A connection's rows. PostGraphile types a connection and each of its nodes as nullable (a row the
 * role may not read would be null); the UI shows the rows there are.
 */
export function nodesOf<T>(connection: { nodes: readonly (T | null)[] } | null | undefined): T[] {
  return (connection?.nodes ?? []).filter((node): node is T => node !== null);
}
