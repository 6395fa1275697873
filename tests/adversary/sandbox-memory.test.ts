/**
 * Adversary: the bubblewrap sandbox's 256 MiB per answer (CONTRACT §6) is a limit per process
 * (RLIMIT_AS), not per answer. Memory the address-space limit doesn't see, or that other
 * processes of the same answer hold, is not limited at all:
 * - `/dev` (bwrap `--dev`) is a tmpfs without a size, writable by the sandbox's uid: files there
 *   are RAM (1 MiB each under RLIMIT_FSIZE, as many as wanted, ~1 GB/s here);
 * - up to 64 processes (RLIMIT_NPROC) each get their own 256 MiB;
 * - the answer may create user namespaces of its own, where it is root and mounts more tmpfs.
 * On a bigger grading machine (more cores, same 2 s) one answer can take the whole RAM and get
 * the API or other runners OOM-killed. Amounts here are kept small (≤ 400 MiB) on purpose: the
 * machine is shared. Real sandbox, its own slot (uid).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { sandboxUid } from "../../src/grading/sandbox/uids";
import { inEnglish } from "../helpers/english-report";

const slot = 12;
/** More time than the default 2 s: fresh pages are slow to fault in on this VM. Memory stays 256 MiB. */
const grader = new Grader(new BwrapSandbox(defaultLimits(8000, 256), slot));

/** The largest resident memory that the sandbox's processes held together while `run` ran (but
 * the slot's fork server's, pid 2 in the sandbox: it is no answer's, and its own group holds it). */
async function peakResidentMb<T>(run: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  const uid = String(sandboxUid(slot));
  let peakMb = 0;
  const sample = () => {
    let total = 0;
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        if (/^Uid:\s+(\d+)/m.exec(status)?.[1] !== uid) continue;
        if (/^NSpid:.*\s2$/m.test(status)) continue;
        total += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
      } catch {
        // gone
      }
    }
    peakMb = Math.max(peakMb, total);
  };
  const timer = setInterval(sample, 25);
  try {
    return { result: await run(), peakMb };
  } finally {
    clearInterval(timer);
  }
}

describe("the bwrap sandbox's memory limit, per answer", () => {
  it("keeps an answer from storing 320 MiB in /dev/shm", async () => {
    const answer = [
      "import os",
      "def stored_mib():",
      "    chunk = b'x' * (1024 * 1024)",
      "    stored = 0",
      "    for i in range(320):",
      "        try:",
      "            with open('/dev/shm/f%d' % i, 'wb') as f:",
      "                f.write(chunk)",
      "        except OSError:",
      "            break",
      "        stored += os.path.getsize('/dev/shm/f%d' % i) // (1024 * 1024)",
      "    return stored",
    ].join("\n");
    const report = inEnglish(
      await grader.grade({
        code: answer,
        testingCode: "assert stored_mib() >= 0\nassert stored_mib() >= 320",
      }),
    );
    // Held: the run stopped for memory, or the second case failed because /dev/shm is small.
    expect(report.passed).toBeLessThan(2);
    if (report.passed === 0) expect(report.errors).toMatch(/Memory limit exceeded/);
  });

  it("keeps an answer's processes together within 256 MiB", async () => {
    const answer = [
      "import os, time",
      "held = []",
      "def held_mib():",
      "    if held:",
      "        return held[0]",
      "    ready_r, ready_w = os.pipe()",
      "    children = []",
      "    for _ in range(3):",
      "        pid = os.fork()",
      "        if pid == 0:",
      "            hog = b'x' * (120 * 1024 * 1024)",
      "            os.write(ready_w, b'1')",
      "            time.sleep(0.6)",
      "            os._exit(0)",
      "        children.append(pid)",
      "    total = 0",
      "    for _ in children:",
      "        total += 120 * len(os.read(ready_r, 1))",
      "    for pid in children:",
      "        os.waitpid(pid, 0)",
      "    held.append(total)",
      "    return total",
    ].join("\n");
    const { result: report, peakMb } = await peakResidentMb(() =>
      grader.grade({
        code: answer,
        testingCode: "assert held_mib() >= 0\nassert held_mib() >= 360",
      }),
    );
    expect(peakMb).toBeLessThanOrEqual(256 + 32);
    expect(report.passed).toBeLessThan(2);
  });

  it("keeps an answer from making user namespaces of its own (root there, tmpfs without size)", async () => {
    const answer = [
      "import subprocess",
      "def made_user_namespace():",
      "    mount = 'mount -t tmpfs none /tmp && head -c 1048576 /dev/zero > /tmp/x'",
      "    done = subprocess.run(['unshare', '-r', '--mount', 'sh', '-c', mount])",
      "    return 1 if done.returncode == 0 else 0",
    ].join("\n");
    const report = inEnglish(
      await grader.grade({
        code: answer,
        testingCode: "assert made_user_namespace() in (0, 1)\nassert made_user_namespace() == 1",
      }),
    );
    expect(report.errors ?? "").toContain("Line 2: assert made_user_namespace() == 1");
    expect(report.passed).toBe(1);
  });
});
