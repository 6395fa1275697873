import type { Logger } from "../../logger";
import { BwrapSandbox, bwrapWorks } from "./bwrap";
import { PyodideSandbox, pyodideWorks } from "./pyodide";
import type { Sandbox, SandboxLimits } from "./sandbox";

export type SandboxKind = "bwrap" | "pyodide";

/** `auto` prefers bubblewrap with Debian's python3 and falls back to pyodide; the choice is logged. */
export async function chooseSandbox(
  requested: "auto" | SandboxKind,
  limits: SandboxLimits,
  logger: Logger,
): Promise<SandboxKind> {
  if (requested === "bwrap" || requested === "auto") {
    if (await bwrapWorks(limits)) {
      logger.info("sandbox", { backend: "bwrap", requested });
      return "bwrap";
    }
    if (requested === "bwrap")
      throw new Error("SANDBOX=bwrap, but bubblewrap with /usr/bin/python3 does not work here");
  }
  if (!(await pyodideWorks(limits)))
    throw new Error("no sandbox works here: neither bubblewrap nor pyodide");
  logger.info("sandbox", { backend: "pyodide", requested });
  return "pyodide";
}

/** One sandbox per worker slot (bubblewrap slots run as distinct uids). */
export function createSandboxes(
  kind: SandboxKind,
  limits: SandboxLimits,
  count: number,
): Sandbox[] {
  return Array.from({ length: count }, (_, slot) =>
    kind === "bwrap" ? new BwrapSandbox(limits, slot) : new PyodideSandbox(limits),
  );
}
