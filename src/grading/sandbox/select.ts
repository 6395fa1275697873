import type { Logger } from "../../logger";
import { BwrapSandbox, bwrapDisablesUserns, bwrapInstalled } from "./bwrap";
import { cgroupMode } from "./cgroups";
import { PyodideSandbox, pyodideIsolation } from "./pyodide";
import type { Sandbox, SandboxLimits, SandboxProgram } from "./sandbox";

const echoPrograms: SandboxProgram[] = [
  {
    interpreter: "python",
    source: [
      "provided = globals().get('channel_read')",
      "if provided is not None:",
      "    channel_write('echo ' + provided(64).to_bytes().decode())",
      "else:",
      "    import os",
      "    os.write(3, b'echo ' + os.read(0, 64))",
    ].join("\n"),
    input: "ok",
  },
  {
    // A QuickJS program: its helpers report the value of the one step, the input's text.
    interpreter: "javascript",
    source:
      '({ describe: String, callAndCatch: String, encode: (value) => JSON.stringify(["s", "echo " + value]) })',
    input: JSON.stringify({ code: "", steps: [["v", 0, 1, 1, "'ok'"]] }),
  },
];

/** Whether a sandbox runs a program of each language that reads its input and answers on the
 * channel (then stops whatever it keeps running: it was only a probe). */
export async function echoes(sandbox: Sandbox): Promise<boolean> {
  try {
    for (const program of echoPrograms) {
      const ending = await sandbox.execute(program);
      if (!ending.channel.includes("echo ok")) return false;
    }
    return true;
  } finally {
    sandbox.close?.();
  }
}

export type SandboxKind = "bwrap" | "pyodide";

/**
 * `auto` prefers bubblewrap with Debian's python3 (and Node for JavaScript) and falls back to pyodide where pyodide can be
 * isolated; the choice is logged. A backend chosen explicitly that can't run isolated here stops
 * the start.
 */
export async function chooseSandbox(
  requested: "auto" | SandboxKind,
  limits: SandboxLimits,
  logger: Logger,
): Promise<SandboxKind> {
  if (requested === "bwrap" || requested === "auto") {
    if ((await bwrapInstalled()) && (await echoes(new BwrapSandbox(limits)).catch(() => false))) {
      const groups = cgroupMode();
      const fields = {
        backend: "bwrap",
        requested,
        limits: groups === "none" ? "per process (rlimits)" : `per answer (${groups})`,
        nestedUserNamespaces: (await bwrapDisablesUserns()) ? "forbidden" : "allowed",
      };
      const weaker = groups === "none" || fields.nestedUserNamespaces === "allowed";
      // Weaker isolation than SECURITY.md describes is worth a warning, not a refusal to start.
      logger[weaker ? "warn" : "info"]("sandbox", fields);
      return "bwrap";
    }
    if (requested === "bwrap")
      throw new Error(
        "SANDBOX=bwrap, but bubblewrap with /usr/bin/python3 and Node does not work here",
      );
  }
  const isolation = await pyodideIsolation();
  if (!isolation) {
    const why =
      "pyodide can't be isolated here: it needs root (a uid of its own) or unprivileged user namespaces (unshare -r) for its own pid and network namespaces";
    if (requested === "pyodide") throw new Error(`SANDBOX=pyodide, but ${why}`);
    logger.warn("sandbox: pyodide not offered", { reason: why });
    throw new Error("no sandbox works here: bubblewrap does not, and pyodide can't be isolated");
  }
  if (!(await echoes(new PyodideSandbox(limits, isolation)).catch(() => false)))
    throw new Error(`no sandbox works here: pyodide did not run (isolation: ${isolation})`);
  logger.info("sandbox", { backend: "pyodide", requested, isolation });
  return "pyodide";
}

/** One sandbox per worker slot (each slot runs as its own uid where it can). */
export async function createSandboxes(
  kind: SandboxKind,
  limits: SandboxLimits,
  count: number,
): Promise<Sandbox[]> {
  if (kind === "bwrap")
    return Array.from({ length: count }, (_, slot) => new BwrapSandbox(limits, slot));
  const isolation = await pyodideIsolation();
  if (!isolation) throw new Error("pyodide can't be isolated on this host");
  return Array.from({ length: count }, (_, slot) => new PyodideSandbox(limits, isolation, slot));
}
