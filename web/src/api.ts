import { Client, cacheExchange, fetchExchange } from "urql";

// Every call goes to the same server that serves this page: POST /graphql and the REST routes,
// with `Authorization: Bearer <token>`.

/** Thrown (and reported to the app) when the server says the token is no longer good. */
export class AuthError extends Error {}

type OnAuthError = (message: string) => void;

/** Reads the API's `{success: false, error}` body, or a fallback. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as { error?: unknown; errors?: { message?: unknown }[] };
    if (typeof body.error === "string") return body.error;
    const first = body.errors?.[0]?.message;
    if (typeof first === "string") return first;
  } catch {
    // not JSON
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** fetch with the token; a 401 signs the browser out with the server's reason. */
function authedFetch(token: string, onAuthError: OnAuthError): typeof fetch {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    const response = await fetch(input, { ...init, headers });
    if (response.status === 401) onAuthError(await errorMessage(response));
    return response;
  };
}

export function createGraphqlClient(token: string, onAuthError: OnAuthError): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, fetchExchange],
    // The server accepts GraphQL over POST only.
    preferGetMethod: false,
    fetch: authedFetch(token, onAuthError),
  });
}

export interface RestResult<T> {
  ok: boolean;
  status: number;
  body: T & { success?: boolean; error?: string; conflicts?: string[] };
}

export function createRest(token: string, onAuthError: OnAuthError) {
  const call = authedFetch(token, onAuthError);
  return async function rest<T = Record<string, unknown>>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<RestResult<T>> {
    const response = await call(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let parsed: RestResult<T>["body"];
    try {
      parsed = (await response.json()) as RestResult<T>["body"];
    } catch {
      parsed = {
        success: false,
        error: `${response.status} ${response.statusText}`,
      } as RestResult<T>["body"];
    }
    return { ok: response.ok, status: response.status, body: parsed };
  };
}

export type Rest = ReturnType<typeof createRest>;

/**
 * Checks a token against the server before keeping it: one small query. Returns the server's own
 * words when it refuses (expired, bad signature, wrong role).
 */
export async function checkToken(token: string): Promise<{ ok: true } | { ok: false; error: string }> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ currentSettings { enabled } }" }),
    });
  } catch {
    return { ok: false, error: "The server cannot be reached." };
  }
  if (response.ok) return { ok: true };
  return { ok: false, error: await errorMessage(response) };
}
