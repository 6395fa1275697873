import type { Hono } from "hono";
import type { Env } from "hono/types";

interface RoutePath {
  pattern: RegExp;
  endsWithSlash: boolean;
  methods: Set<string>;
}

function toPattern(path: string): RegExp {
  const body = path
    .replace(/\/+$/, "")
    .split("/")
    .map((segment) =>
      segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${body}/?$`);
}

/**
 * What the app knows about its own paths: the canonical spelling of a request path (the contract
 * accepts every path with its trailing slash toggled, without a redirect) and the methods a path
 * answers (to tell 405 from 404). Built once, on first use, from the registered routes.
 */
export function routePaths<E extends Env>(app: Hono<E>) {
  let known: RoutePath[] | undefined;
  const build = () => {
    const byPath = new Map<string, RoutePath>();
    for (const route of app.routes) {
      if (route.method === "ALL" || route.path.includes("*")) continue;
      const entry = byPath.get(route.path) ?? {
        pattern: toPattern(route.path),
        endsWithSlash: route.path.endsWith("/"),
        methods: new Set<string>(),
      };
      entry.methods.add(route.method);
      byPath.set(route.path, entry);
    }
    return [...byPath.values()];
  };
  const matching = (path: string) => {
    known ??= build();
    return known.filter((entry) => entry.pattern.test(path));
  };

  return {
    canonical(path: string): string {
      const [first] = matching(path);
      if (!first) return path;
      const trimmed = path.replace(/\/+$/, "");
      return first.endsWithSlash ? `${trimmed}/` : trimmed;
    },
    allowedMethods(path: string): string[] {
      const methods = new Set(matching(path).flatMap((entry) => [...entry.methods]));
      if (methods.has("GET")) methods.add("HEAD");
      return [...methods];
    },
  };
}
