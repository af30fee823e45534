import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { App } from "./app.ts";
import { GRAPHIQL_PATH, GRAPHQL_PATH } from "./graphql.ts";

export interface HttpServer {
  /** http://host:port, with the port actually bound (PORT=0 picks one). */
  url: string;
  urls: Record<"graphql" | "graphiql" | "rest" | "openapi" | "health", string>;
  close(): Promise<void>;
}

/** Listens with @hono/node-server; `close` stops accepting, waits for open requests, then releases the app. */
export async function listen(app: App, port: number, host: string): Promise<HttpServer> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.app.fetch, port, hostname: host }, () => resolve(started));
    started.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
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
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await app.close();
    },
  };
}
