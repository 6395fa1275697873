import type { CodeLanguage } from "../languages";
import type { CodeHarness } from "./harness";
import { javascriptHarness } from "./javascript";
import { pythonHarness } from "./python";

const harnesses: Record<CodeLanguage, CodeHarness<unknown>> = {
  python: pythonHarness as CodeHarness<unknown>,
  javascript: javascriptHarness as CodeHarness<unknown>,
};

/** The harness of a code question's language, or undefined when there is none. */
export const harnessFor = (language: string): CodeHarness<unknown> | undefined =>
  Object.hasOwn(harnesses, language) ? harnesses[language as CodeLanguage] : undefined;
