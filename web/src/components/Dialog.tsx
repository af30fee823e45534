import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";

/**
 * A modal on the native <dialog>: focus moves into it, Escape closes it, the page behind is inert,
 * and the focus returns to the opener afterwards. Rendered only while open.
 */
export function Dialog(props: { title: string; onClose(): void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    // The dialog is removed rather than closed, so the browser does not return the focus itself:
    // give it back to what opened the dialog (the button, or the queue row of a keyboard shortcut).
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className={props.wide ? "wide" : undefined}
      onClose={props.onClose}
      onCancel={props.onClose}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export interface TextDialogProps {
  title: string;
  /** What happens when confirmed, in a sentence. */
  description?: ReactNode;
  label: string;
  required?: boolean;
  confirmLabel: string;
  danger?: boolean;
  placeholder?: string;
  /** Resolves to an error message to show, or undefined when done (the dialog then closes). */
  onSubmit(text: string): Promise<string | undefined>;
  onClose(): void;
}

/** A dialog asking for a note or reason, showing the server's refusal if there is one. */
export function TextDialog(props: TextDialogProps) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const errorId = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (props.required && !text.trim()) {
      setError(`${props.label} is required.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const failure = await props.onSubmit(text.trim());
    setBusy(false);
    if (failure) setError(failure);
    else props.onClose();
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        {props.description ? <div className="dialog-description">{props.description}</div> : null}
        <label htmlFor={inputId}>
          {props.label}
          {props.required ? " (required)" : " (optional)"}
        </label>
        <textarea
          id={inputId}
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={3}
          placeholder={props.placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          autoFocus
        />
        {error ? (
          <p id={errorId} className="error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className={props.danger ? "danger" : "primary"} disabled={busy}>
            {busy ? "Working…" : props.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
