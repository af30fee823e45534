import { createContext, useContext } from "react";
import type { Rest } from "./api.ts";
import type { Session } from "./auth.ts";

export interface SessionContextValue {
  session: Session;
  rest: Rest;
  canChange: boolean;
  signOut(message?: string): void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside a signed-in session");
  return value;
}

/** The title shown on controls a viewer cannot use. */
export const READ_ONLY = "Read-only: your token's role is viewer";
