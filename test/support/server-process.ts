import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { waitFor } from "./wait.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:port */
  url: string;
  output(): string;
  /** The process's peak resident memory so far (VmHWM), in bytes. */
  peakMemory(): Promise<number>;
  alive(): boolean;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `node src/bin/server.ts` as a real process on 127.0.0.1 with a port of its own, with exactly the
 * environment given (plus PATH); `nodeOptions` go to Node itself (e.g. a heap limit).
 */
export async function startServerProcess(
  env: Record<string, string>,
  nodeOptions: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeOptions, "src/bin/server.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: string[] = [];
  child.stdout?.on("data", (chunk) => chunks.push(String(chunk)));
  child.stderr?.on("data", (chunk) => chunks.push(String(chunk)));
  const output = () => chunks.join("");
  const alive = () => child.exitCode === null && child.signalCode === null;
  let url = "";
  await waitFor(
    () => {
      if (!alive()) throw new Error(`the server exited early:\n${output().slice(-3000)}`);
      url = /"health":"(http:\/\/[^"]+)\/healthz"/.exec(output())?.[1] ?? "";
      return url !== "";
    },
    60_000,
    { what: "the server to listen", describe: () => output().slice(-2000) },
  );
  return {
    child,
    url,
    output,
    alive,
    async peakMemory() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const kilobytes = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
      return kilobytes * 1024;
    },
    async stop() {
      if (alive()) child.kill("SIGTERM");
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const [code] = await once(child, "exit");
      return code as number | null;
    },
  };
}
