/**
 * `.dev.vars`: the secrets `wrangler dev` gives the Worker locally (git-ignored). Secrets that
 * are missing are added once — from the environment, or generated — so that tokens signed
 * before a restart of `npm run dev` still verify after it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** KEY=VALUE lines (values optionally quoted), as wrangler reads them. */
function parse(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    vars.set(match[1], match[2].replace(/^(["'])(.*)\1$/, "$2"));
  }
  return vars;
}

/** The values of `keys` in the file, adding those it lacks; the file keeps everything else. */
export function ensureDevVars(
  path: string,
  keys: Record<string, () => string>,
): Record<string, string> {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const vars = parse(text);
  const added = Object.entries(keys)
    .filter(([key]) => !vars.has(key))
    .map(([key, make]) => [key, process.env[key] ?? make()] as const);
  if (added.length > 0) {
    const lines = added.map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    const separator = text === "" || text.endsWith("\n") ? "" : "\n";
    writeFileSync(path, `${text}${separator}${lines.join("\n")}\n`, { mode: 0o600 });
    for (const [key, value] of added) vars.set(key, value);
  }
  return Object.fromEntries(Object.keys(keys).map((key) => [key, vars.get(key) as string]));
}
