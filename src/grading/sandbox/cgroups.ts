import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { isAlive } from "./process";
import { SandboxUnavailableError } from "./sandbox";

/**
 * Limits for an answer's processes *together* (memory, processes), where the host lets us make
 * control groups: cgroup v2 with the memory and pids controllers delegated to us, or cgroup v1
 * memory (+ pids) hierarchies we can write. Elsewhere (an unprivileged container, say) the
 * sandboxes keep only their per-process rlimits; `cgroupMode()` says which holds, for the log.
 *
 * Each run gets a fresh group under `testit-<our pid>` (removed when we exit); the launcher moves
 * itself in before it starts anything of the answer, so every process the answer makes is counted.
 */
export type CgroupMode = "cgroup2" | "cgroup1" | "none";

interface Hierarchy {
  /** testit-<pid> in one hierarchy (one per controller in v1, a single one in v2). */
  parent: string;
  limits: (limits: GroupLimits) => [file: string, value: string][];
}

export interface GroupLimits {
  memoryMb: number;
  maxProcesses: number;
}

/** One run's control group(s). */
export interface RunGroup {
  /** The cgroup.procs files the launcher writes its own pid into. */
  procs: string[];
  /** Whether the kernel killed a process of the run for memory. */
  oomKilled(): boolean;
  /** Kills what is left of the run and removes its groups (in the background). */
  release(): void;
}

interface Mount {
  root: string;
  point: string;
  type: string;
  options: string[];
}

function mounts(): Mount[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .flatMap((line) => {
      const [before, after] = line.split(" - ");
      if (!before || !after) return [];
      const fields = before.split(" ");
      const [type, , superOptions] = after.split(" ");
      return [
        {
          root: fields[3] ?? "",
          point: fields[4] ?? "",
          type: type ?? "",
          options: (superOptions ?? "").split(","),
        },
      ];
    });
}

/** controller (or "" for v2) -> our group's path in its hierarchy. */
function ownGroups(): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of (match[1] as string).split(","))
      groups.set(controller, match[2] as string);
  }
  return groups;
}

function folderOf(mount: Mount, path: string): string {
  const relative =
    mount.root !== "/" && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  return join(mount.point, relative);
}

const parentName = () => `testit-${process.pid}`;

/** Removes the groups of API processes that are gone (left behind by a crash). */
function sweepStale(folder: string): void {
  for (const entry of readdirSync(folder)) {
    const pid = /^testit-(\d+)$/.exec(entry)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    try {
      for (const run of readdirSync(join(folder, entry), { withFileTypes: true }))
        if (run.isDirectory()) rmdirSync(join(folder, entry, run.name));
      rmdirSync(join(folder, entry));
    } catch {
      // Still in use, or not ours to remove.
    }
  }
}

/** Makes testit-<pid> in `folder`; throws when we may not. */
function makeParent(folder: string): string {
  sweepStale(folder);
  const parent = join(folder, parentName());
  if (!existsSync(parent)) mkdirSync(parent);
  return parent;
}

function cgroup2(): Hierarchy[] | undefined {
  const mount = mounts().find((candidate) => candidate.type === "cgroup2");
  const path = ownGroups().get("");
  if (!mount || path === undefined) return undefined;
  const own = folderOf(mount, path);
  const controllers = readFileSync(join(own, "cgroup.controllers"), "utf8").split(/\s+/);
  if (!controllers.includes("memory") || !controllers.includes("pids")) return undefined;
  const enabled = readFileSync(join(own, "cgroup.subtree_control"), "utf8").split(/\s+/);
  if (!enabled.includes("memory") || !enabled.includes("pids"))
    writeFileSync(join(own, "cgroup.subtree_control"), "+memory +pids");
  const parent = makeParent(own);
  writeFileSync(join(parent, "cgroup.subtree_control"), "+memory +pids");
  return [
    {
      parent,
      limits: ({ memoryMb, maxProcesses }) => [
        ["memory.max", String(memoryMb * 1024 * 1024)],
        ["memory.swap.max", "0"],
        ["pids.max", String(maxProcesses)],
      ],
    },
  ];
}

function cgroup1(): Hierarchy[] | undefined {
  const groups = ownGroups();
  const hierarchy = (controller: string) => {
    const mount = mounts().find(
      (candidate) => candidate.type === "cgroup" && candidate.options.includes(controller),
    );
    const path = groups.get(controller);
    return mount && path !== undefined ? makeParent(folderOf(mount, path)) : undefined;
  };
  const memory = hierarchy("memory");
  const pids = hierarchy("pids");
  if (!memory || !pids) return undefined;
  return [
    {
      parent: memory,
      limits: ({ memoryMb }) => [
        ["memory.limit_in_bytes", String(memoryMb * 1024 * 1024)],
        // Memory + swap, where the kernel accounts swap: none beyond the memory itself.
        ["memory.memsw.limit_in_bytes", String(memoryMb * 1024 * 1024)],
      ],
    },
    { parent: pids, limits: ({ maxProcesses }) => [["pids.max", String(maxProcesses)]] },
  ];
}

let found: { mode: CgroupMode; hierarchies: Hierarchy[] } | undefined;

function detect(): { mode: CgroupMode; hierarchies: Hierarchy[] } {
  if (found) return found;
  for (const [mode, make] of [
    ["cgroup2", cgroup2],
    ["cgroup1", cgroup1],
  ] as const) {
    try {
      const hierarchies = make();
      if (hierarchies) {
        found = { mode, hierarchies };
        process.once("exit", () => {
          for (const { parent } of hierarchies) {
            try {
              rmdirSync(parent);
            } catch {
              // A run still being released; the next start sweeps it.
            }
          }
        });
        return found;
      }
    } catch {
      // Not writable here; try the next kind.
    }
  }
  found = { mode: "none", hierarchies: [] };
  return found;
}

/** Which per-answer limits this host gives the sandboxes. */
export const cgroupMode = (): CgroupMode => detect().mode;

/** The folders (one per hierarchy) that hold this process's run groups while they run. */
export const runGroupParents = (): string[] => detect().hierarchies.map(({ parent }) => parent);

let runs = 0;
const swapLimits = new Set(["memory.memsw.limit_in_bytes", "memory.swap.max"]);

/** A fresh group for one run (or for a slot's fork server: `kind` "slot"), or undefined where the
 * host has none for us (throws SandboxUnavailableError when it has, but the group can't be made:
 * the job is retried). */
export function runGroup(limits: GroupLimits, kind: "run" | "slot" = "run"): RunGroup | undefined {
  const { hierarchies } = detect();
  if (hierarchies.length === 0) return undefined;
  const name = `${kind}-${++runs}`;
  const folders = hierarchies.map(({ parent }) => join(parent, name));
  try {
    hierarchies.forEach(({ limits: limitsOf }, index) => {
      const folder = folders[index] as string;
      mkdirSync(folder);
      for (const [file, value] of limitsOf(limits)) {
        try {
          writeFileSync(join(folder, file), value);
        } catch (error) {
          // Swap limits exist only where the kernel accounts swap; without them there is none.
          if (!swapLimits.has(file)) throw error;
        }
      }
    });
  } catch (error) {
    removeGroups(folders);
    throw new SandboxUnavailableError(`could not make the run's control groups: ${error}`);
  }
  return {
    procs: folders.map((folder) => join(folder, "cgroup.procs")),
    oomKilled: () => folders.some((folder) => oomKills(folder) > 0),
    release: () => releaseGroups(folders),
  };
}

function oomKills(folder: string): number {
  for (const file of ["memory.events", "memory.oom_control"]) {
    try {
      const count = /^oom_kill (\d+)$/m.exec(readFileSync(join(folder, file), "utf8"))?.[1];
      if (count !== undefined) return Number(count);
    } catch {
      // Not this kind of group.
    }
  }
  return 0;
}

function killAll(folder: string): void {
  try {
    for (const pid of readFileSync(join(folder, "cgroup.procs"), "utf8")
      .split("\n")
      .filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  } catch {
    // Removed already.
  }
}

function removeGroups(folders: string[]): string[] {
  return folders.filter((folder) => {
    try {
      if (existsSync(folder)) rmdirSync(folder);
      return false;
    } catch {
      return true;
    }
  });
}

/** Processes take a moment to leave a group after they are killed: retry for a while. */
function releaseGroups(folders: string[], tries = 40): void {
  for (const folder of folders) killAll(folder);
  const left = removeGroups(folders);
  if (left.length > 0 && tries > 0) setTimeout(() => releaseGroups(left, tries - 1), 25).unref();
}
