/**
 * The bwrap sandbox holds each run in control groups of its own (where the host lets us make
 * them), so that memory and processes are limited per answer, not per process: several processes
 * of one answer share one limit, a run stopped there says so, and no group outlives its run.
 * Real sandbox, real cgroups (this host: cgroup v1 memory and pids, writable as root).
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { cgroupMode, runGroupParents } from "../../src/grading/sandbox/cgroups";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";

const hasGroups = cgroupMode() !== "none";
/** 96 MiB per answer, 4 s: three children of 40 MiB each can't all be held at once. */
const sandbox = new BwrapSandbox(defaultLimits(4000, 96), 14);
const grader = new Grader(sandbox);

const forkingAnswer = [
  "import os, time",
  "def held_mib(count):",
  "    ready_r, ready_w = os.pipe()",
  "    children = []",
  "    for _ in range(count):",
  "        pid = os.fork()",
  "        if pid == 0:",
  "            hog = b'x' * (40 * 1024 * 1024)",
  "            os.write(ready_w, b'1')",
  "            time.sleep(0.5)",
  "            os._exit(0)",
  "        children.append(pid)",
  "    os.close(ready_w)",
  "    held = 40 * len(os.read(ready_r, count))",
  "    for pid in children:",
  "        os.waitpid(pid, 0)",
  "    return held",
].join("\n");

describe.skipIf(!hasGroups)(`the bwrap sandbox's run groups (${cgroupMode()})`, () => {
  it("lets one answer's processes hold memory within the limit together", async () => {
    expect(
      await grader.grade({ code: forkingAnswer, testingCode: "assert held_mib(1) == 40" }),
    ).toEqual({ passed: 1, total: 1, raised: false, errors: null });
  });

  it("stops an answer whose processes together pass the limit, and says it was memory", async () => {
    const report = inEnglish(
      await grader.grade({ code: forkingAnswer, testingCode: "assert held_mib(3) == 120" }),
    );
    expect(report.passed).toBe(0);
    expect(report.errors).toContain("Memory limit exceeded");
  });

  it("leaves no group behind, however many runs were in flight", async () => {
    const reports = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        grader.grade({
          code: "import os\ndef forks():\n    os.fork()\n    return 1\n",
          testingCode: `assert forks() == 1\nassert ${index} >= 0`,
        }),
      ),
    );
    expect(reports.every((report) => report.total === 2)).toBe(true);
    const left = () =>
      runGroupParents().flatMap((parent) =>
        readdirSync(parent).filter((entry) => entry.startsWith("run-")),
      );
    for (let waited = 0; left().length > 0 && waited < 5000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(left()).toEqual([]);
  });
});
