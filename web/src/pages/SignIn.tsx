import { type FormEvent, useId, useState } from "react";
import { checkToken } from "../api.ts";
import { decodeToken, type Session } from "../auth.ts";

/** Paste a bearer token; it is checked with the server before it is kept for this browser session. */
export function SignIn(props: { message?: string; onSignedIn(session: Session): void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>(props.message);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const helpId = useId();
  const errorId = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const decoded = decodeToken(token);
    if (!decoded.ok) {
      setError(decoded.error);
      return;
    }
    setBusy(true);
    const checked = await checkToken(decoded.session.token);
    setBusy(false);
    if (!checked.ok) {
      setError(`The server refused the token: ${checked.error}.`);
      return;
    }
    props.onSignedIn(decoded.session);
  };
  return (
    <main className="sign-in" id="main">
      <h1>autoexec admin</h1>
      <form onSubmit={submit} className="card">
        <h2>Sign in</h2>
        <label htmlFor={inputId}>Access token</label>
        <textarea
          id={inputId}
          name="token"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          rows={4}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={error ? `${helpId} ${errorId}` : helpId}
          aria-invalid={error ? true : undefined}
          required
        />
        <p id={helpId} className="help">
          Paste a bearer token (a JWT). An operator prints one with{" "}
          <code>npm run token -- --role admin --sub your-name</code> (<code>--role viewer</code> for
          read-only). It is kept in this browser tab's session storage only.
        </p>
        {error ? (
          <p id={errorId} className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
