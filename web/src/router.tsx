import { type MouseEvent, type ReactNode, useEffect, useState } from "react";

// A small router for four pages under /admin/ (the server answers every /admin/* path with the app).

export const BASE = "/admin";

export type Route =
  | { page: "queue" }
  | { page: "action"; id: string }
  | { page: "history" }
  | { page: "settings" }
  | { page: "missing"; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const clean = path.replace(/\/+$/, "") || "/";
  if (clean === "/" || clean === "/queue") return { page: "queue" };
  if (clean === "/history") return { page: "history" };
  if (clean === "/settings") return { page: "settings" };
  const action = /^\/actions\/(\d{1,18})$/.exec(clean);
  if (action?.[1]) return { page: "action", id: action[1] };
  return { page: "missing", path: clean };
}

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  window.history.pushState(null, "", to);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

export function useLocation(): { pathname: string; search: string } {
  const [location, setLocation] = useState(() => ({
    pathname: window.location.pathname,
    search: window.location.search,
  }));
  useEffect(() => {
    const update = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
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
