/**
 * Every engine transaction waits for a lock at most lockTimeoutMs and runs a statement at most
 * statementTimeoutMs: a lock held by someone else (a stuck session, a DBA) delays an execution, which
 * is logged and retried, instead of hanging a worker or its graceful stop.
 */
export interface EngineTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export const DEFAULT_ENGINE_TIMEOUTS: EngineTimeouts = { lockTimeoutMs: 5_000, statementTimeoutMs: 30_000 };

/** The `set local` statements that give the current transaction the timeouts. */
export function timeoutStatements(timeouts: EngineTimeouts = DEFAULT_ENGINE_TIMEOUTS): string[] {
  const ms = (value: number) => {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`a timeout must be a positive integer, got ${value}`);
    return `'${value}ms'`;
  };
  return [
    `set local lock_timeout = ${ms(timeouts.lockTimeoutMs)}`,
    `set local statement_timeout = ${ms(timeouts.statementTimeoutMs)}`,
  ];
}

/** lock_not_available: lock_timeout expired (or NOWAIT): the engine was busy, the action is not at fault. */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "55P03";
}

/** Thrown when an execution gave up waiting for a lock: nothing was recorded; it runs again later. */
export class EngineBusyError extends Error {}
