import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON lines for machines; in a terminal, the same lines made readable by pino-pretty (set
 * LOG_FORMAT=json to keep JSON in a terminal too).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  const pretty = process.stdout.isTTY === true && process.env.LOG_FORMAT !== "json";
  return pino({
    level,
    base: { service: "autoexec" },
    transport: pretty
      ? { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "service" } }
      : undefined,
  });
}
