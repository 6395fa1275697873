import { parentPort } from "node:worker_threads";
import { harnessFor } from "./harness/registry";
import type { JudgeReply, JudgeTask } from "./judge-thread";

/** Answers one task of judge-thread.ts at a time, synchronously: the parent keeps the budget. */
function handle(task: JudgeTask): JudgeReply {
  const harness = harnessFor(task.language);
  if (!harness) return { error: `no harness for ${task.language}` };
  try {
    if (task.kind === "judge") return { result: harness.judge(task.plan, task.ending) };
    // Planning again here is cheap (a parse, for the languages that plan in the runner).
    const planning = harness.planTests(task.testingCode);
    return {
      result: planning.kind === "known" ? planning.outcome : planning.readPlan(task.ending),
    };
  } catch (error) {
    return { error: String(error) };
  }
}

parentPort?.on("message", (task: JudgeTask) => parentPort?.postMessage(handle(task)));
parentPort?.postMessage("ready");
