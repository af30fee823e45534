import { useCallback, useEffect } from "react";
import { type AnyVariables, type CombinedError, type UseQueryArgs, type UseQueryState, useQuery } from "urql";

/** Calls `refresh` every `ms` while the page is visible. */
export function usePoll(refresh: () => void, ms: number): void {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, ms);
    return () => clearInterval(timer);
  }, [refresh, ms]);
}

/**
 * A query kept fresh: answered from the cache first, refetched every `ms` while the page is visible;
 * `refresh` refetches now (after a change the user made).
 */
export function usePolledQuery<Data, Variables extends AnyVariables = AnyVariables>(
  args: Omit<UseQueryArgs<Variables, Data>, "requestPolicy">,
  ms: number,
): [UseQueryState<Data, Variables>, () => void] {
  const [result, reexecute] = useQuery<Data, Variables>({
    ...args,
    requestPolicy: "cache-and-network",
  } as UseQueryArgs<Variables, Data>);
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  usePoll(refresh, ms);
  return [result, refresh];
}

/**
 * Whether the rows on screen are still the answer to other variables. urql keeps the previous answer
 * while the next one loads, so after a filter, sort or page change the old rows would otherwise sit
 * under the new page's caption, and an admin could act on rows that no longer match what the page says.
 */
export function showsPreviousAnswer(result: UseQueryState<unknown>, variables: AnyVariables): boolean {
  return !!result.data && JSON.stringify(result.operation?.variables) !== JSON.stringify(variables);
}

/** The message of a GraphQL or network error, without urql's "[GraphQL]" prefix. */
export function errorText(error: CombinedError | undefined): string | undefined {
  if (!error) return undefined;
  const graphql = error.graphQLErrors[0]?.message;
  if (graphql) return graphql;
  const response = error.response as Response | undefined;
  if (response && response.status === 403) return "The server refused: this token may only read.";
  return error.networkError?.message ?? error.message.replace(/^\[\w+\]\s*/, "");
}
