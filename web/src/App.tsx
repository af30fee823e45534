import { useCallback, useMemo, useState } from "react";
import { Provider } from "urql";
import { createGraphqlClient, createRest } from "./api.ts";
import { clearToken, decodeToken, loadToken, type Session, saveToken } from "./auth.ts";
import { EngineBanner } from "./components/Banner.tsx";
import { TimeZoneToggle } from "./components/TimeZoneToggle.tsx";
import { setTimeZoneChoice, type TimeZoneChoice, timeZoneChoice } from "./format.ts";
import { ActionPage } from "./pages/Action.tsx";
import { AuditPage } from "./pages/Audit.tsx";
import { HistoryPage } from "./pages/History.tsx";
import { QueuePage } from "./pages/Queue.tsx";
import { ShadowPage } from "./pages/Shadow.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { SettingsPage } from "./pages/settings/SettingsPage.tsx";
import { BASE, Link, parseRoute, useLocation } from "./router.tsx";
import { SessionContext, type SessionContextValue } from "./session.tsx";

function initialSession(): { session?: Session; message?: string } {
  const token = loadToken();
  if (!token) return {};
  const decoded = decodeToken(token);
  if (decoded.ok) return { session: decoded.session };
  clearToken();
  return { message: decoded.error };
}

export function App() {
  const [state, setState] = useState(initialSession);
  const signOut = useCallback((message?: string) => {
    clearToken();
    setState({ message });
  }, []);
  const signIn = useCallback((session: Session) => {
    saveToken(session.token);
    setState({ session });
  }, []);
  if (!state.session) return <SignIn message={state.message} onSignedIn={signIn} />;
  return <SignedIn key={state.session.token} session={state.session} signOut={signOut} />;
}

function SignedIn({ session, signOut }: { session: Session; signOut(message?: string): void }) {
  const onAuthError = useCallback(
    (message: string) => signOut(`You were signed out: ${message}. Paste a new token.`),
    [signOut],
  );
  const client = useMemo(() => createGraphqlClient(session.token, onAuthError), [session.token, onAuthError]);
  const context = useMemo<SessionContextValue>(
    () => ({
      session,
      rest: createRest(session.token, onAuthError),
      canChange: session.role === "admin",
      signOut,
    }),
    [session, onAuthError, signOut],
  );
  const location = useLocation();
  const route = parseRoute(location.pathname);
  // Every time on every page follows this choice (format.ts reads it; the state re-renders the pages).
  const [zone, setZone] = useState<TimeZoneChoice>(timeZoneChoice);
  const chooseZone = (next: TimeZoneChoice) => {
    setTimeZoneChoice(next);
    setZone(next);
  };
  const current = (page: string) => (route.page === page ? "page" : undefined);
  return (
    <Provider value={client}>
      <SessionContext.Provider value={context}>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="top">
          <div className="brand">autoexec admin</div>
          <nav aria-label="Main">
            <Link to={`${BASE}/`} aria-current={current("queue") ?? current("action")}>
              Queue
            </Link>
            <Link to={`${BASE}/history`} aria-current={current("history")}>
              Execution history
            </Link>
            <Link to={`${BASE}/settings`} aria-current={current("settings")}>
              Settings
            </Link>
            <Link to={`${BASE}/shadow`} aria-current={current("shadow")}>
              Shadow report
            </Link>
            <Link to={`${BASE}/audit`} aria-current={current("audit")}>
              Audit trail
            </Link>
          </nav>
          <div className="who">
            <TimeZoneToggle zone={zone} onChange={chooseZone} />
            <span>
              {session.sub} <span className={`role role-${session.role}`}>{session.role}</span>
            </span>
            <button type="button" className="secondary small" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <EngineBanner />
        {session.role === "viewer" ? (
          <p className="banner banner-info" data-banner="viewer">
            You are signed in as a viewer: you can see everything and change nothing.
          </p>
        ) : null}
        <main id="main" tabIndex={-1}>
          {route.page === "queue" ? <QueuePage /> : null}
          {route.page === "action" ? <ActionPage id={route.id} /> : null}
          {route.page === "history" ? <HistoryPage /> : null}
          {route.page === "settings" ? <SettingsPage /> : null}
          {route.page === "audit" ? <AuditPage /> : null}
          {route.page === "shadow" ? <ShadowPage /> : null}
          {route.page === "missing" ? (
            <section>
              <h1>Not found</h1>
              <p>
                There is no page at <code>{route.path}</code>. <Link to={`${BASE}/`}>Go to the queue</Link>.
              </p>
            </section>
          ) : null}
        </main>
      </SessionContext.Provider>
    </Provider>
  );
}
