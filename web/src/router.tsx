import { type MouseEvent, type ReactNode, useEffect, useState } from "react";

// A small router for the pages under /admin/ (the server answers every /admin/* path with the app).

export const BASE = "/admin";

export type Route =
  | { page: "queue" }
  | { page: "action"; id: string }
  | { page: "history" }
  | { page: "settings" }
  | { page: "audit" }
  | { page: "shadow" }
  | { page: "missing"; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const clean = path.replace(/\/+$/, "") || "/";
  if (clean === "/" || clean === "/queue") return { page: "queue" };
  if (clean === "/history") return { page: "history" };
  if (clean === "/settings") return { page: "settings" };
  if (clean === "/audit") return { page: "audit" };
  if (clean === "/shadow") return { page: "shadow" };
  const action = /^\/actions\/(\d{1,18})$/.exec(clean);
  if (action?.[1]) return { page: "action", id: action[1] };
  return { page: "missing", path: clean };
}

const listeners = new Set<() => void>();

/** Asked before an in-app navigation (the settings page's unsaved edits); false stays on the page. */
let navigationGuard: (() => boolean) | undefined;

export function setNavigationGuard(guard: () => boolean): () => void {
  navigationGuard = guard;
  return () => {
    if (navigationGuard === guard) navigationGuard = undefined;
  };
}

/** The address the app shows: where the back button returns to when the guard says stay. */
let shownUrl = window.location.href;

function notify(): void {
  shownUrl = window.location.href;
  for (const listener of listeners) listener();
}

export function navigate(to: string): void {
  if (navigationGuard && !navigationGuard()) return;
  window.history.pushState(null, "", to);
  notify();
  window.scrollTo(0, 0);
}

// The browser's back and forward buttons ask the guard too. The browser has already moved by the
// time it says so: staying puts the page's address back.
window.addEventListener("popstate", () => {
  if (navigationGuard && !navigationGuard()) window.history.pushState(null, "", shownUrl);
  else notify();
});

/**
 * Puts a page's state (filters, sort, page) in the query string, so a reload or a shared link keeps it.
 * `replace`: no new history entry (typing in a search field).
 */
export function setSearchParams(params: URLSearchParams, replace = false): void {
  const search = params.toString();
  const url = `${window.location.pathname}${search ? `?${search}` : ""}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  notify();
}

export function useLocation(): { pathname: string; search: string } {
  const [location, setLocation] = useState(() => ({
    pathname: window.location.pathname,
    search: window.location.search,
  }));
  useEffect(() => {
    const update = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return location;
}

export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  "aria-current"?: "page" | undefined;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} aria-current={props["aria-current"]}>
      {props.children}
    </a>
  );
}
