import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { loadConfig } from "../config.ts";
import type { App } from "./app.ts";
import { GRAPHIQL_PATH, GRAPHQL_PATH } from "./graphql.ts";

export interface HttpServer {
  /** http://host:port, with the port actually bound (PORT=0 picks one). */
  url: string;
  urls: Record<"graphql" | "graphiql" | "rest" | "openapi" | "health", string>;
  close(): Promise<void>;
}

export interface PlainHttpServer {
  url: string;
  /** Stops accepting, waits for the open requests. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Time a client has to send a whole request (headers and body); a slow one gets 408 (HTTP_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/** Serves `fetch` with @hono/node-server on host:port (0 picks a port) once it listens. */
export async function listenHttp(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  host: string,
  options: ListenOptions = {},
): Promise<PlainHttpServer> {
  const requestTimeout = options.requestTimeoutMs ?? loadConfig({}).HTTP_REQUEST_TIMEOUT_MS;
  const serverOptions = {
    requestTimeout,
    headersTimeout: requestTimeout,
    // Node checks the timeouts above this often (default 30 s, which would let a slow body run longer).
    connectionsCheckingInterval: Math.min(1_000, requestTimeout),
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch, port, hostname: host, serverOptions }, () => resolve(started));
    started.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  };
}

/** Listens with @hono/node-server; `close` stops accepting, waits for open requests, then releases the app. */
export async function listen(
  app: App,
  port: number,
  host: string,
  options: ListenOptions = {},
): Promise<HttpServer> {
  const server = await listenHttp(app.app.fetch, port, host, options);
  const url = server.url;
  return {
    url,
    urls: {
      graphql: `${url}${GRAPHQL_PATH}`,
      graphiql: `${url}${GRAPHIQL_PATH}`,
      rest: `${url}/api/monetization`,
      openapi: `${url}/api/openapi.json`,
      health: `${url}/healthz`,
    },
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
