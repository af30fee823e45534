import { useEffect } from "react";

/**
 * The queue's keys: j / k move the focus to the next / previous row, a / r approve / reject the
 * focused row, / goes to the search field. Ignored while typing in a field or when a dialog is open.
 */
export function useQueueKeyboard(handlers: {
  move(step: 1 | -1): void;
  approve(): void;
  reject(): void;
  search(): void;
}): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable], dialog")) return;
      if (document.querySelector("dialog[open]")) return;
      const action = {
        j: () => handlers.move(1),
        k: () => handlers.move(-1),
        a: handlers.approve,
        r: handlers.reject,
        "/": handlers.search,
      }[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [handlers]);
}
