import { describe, expect, it } from "vitest";
import {
  type AttemptSettings,
  type AttemptState,
  deadlineOf,
  decideStart,
  decideSubmission,
} from "../src/domain/attempts";
import { renderMessages } from "../src/i18n/messages";

/** A decision with its refusal in English, as the API writes it without Accept-Language. */
const inEnglish = (decision: unknown) => renderMessages(decision, "en");

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 9, minutes));
const open: AttemptSettings = { opensAt: null, closesAt: null, timeLimit: null, maxAttempts: null };
const none: AttemptState = { used: 0, latest: undefined };
const started = (number: number, minute: number, submitted = false): AttemptState => ({
  used: number,
  latest: { number, startedAt: at(minute), submitted },
});

describe("deadlineOf", () => {
  it.each([
    ["no limit, no closing", open, null],
    ["the time limit", { ...open, timeLimit: 600 }, at(10)],
    ["the closing time, when earlier", { ...open, timeLimit: 3600, closesAt: at(20) }, at(20)],
    ["the closing time alone", { ...open, closesAt: at(50) }, at(50)],
  ] as const)("%s", (_, settings, expected) => {
    expect(deadlineOf(settings, at(0))).toEqual(expected);
  });
});

describe("decideStart", () => {
  it.each([
    ["a first attempt", open, none, 0, { start: { number: 1, startedAt: at(0) } }],
    [
      "the open attempt again",
      { ...open, timeLimit: 600 },
      started(1, 0),
      9,
      { open: started(1, 0).latest },
    ],
    [
      "a new attempt once the deadline passed",
      { ...open, timeLimit: 600 },
      started(1, 0),
      10,
      { start: { number: 2, startedAt: at(10) } },
    ],
    [
      "a new attempt after a submitted one",
      open,
      started(1, 0, true),
      5,
      { start: { number: 2, startedAt: at(5) } },
    ],
    [
      "no attempts left",
      { ...open, maxAttempts: 1 },
      started(1, 0, true),
      5,
      { refused: "No attempts left." },
    ],
    [
      "before the window",
      { ...open, opensAt: at(30) },
      none,
      0,
      { refused: "This test opens at 2026-12-01T09:30:00.000Z." },
    ],
    [
      "after the window",
      { ...open, closesAt: at(30) },
      none,
      30,
      { refused: "This test closed at 2026-12-01T09:30:00.000Z." },
    ],
  ] as const)("%s", (_, settings, state, minute, expected) => {
    expect(inEnglish(decideStart(settings, state, at(minute)))).toEqual(expected);
  });
});

describe("decideSubmission", () => {
  const timed = { ...open, timeLimit: 600 };
  const plusSeconds = (minute: number, seconds: number) =>
    new Date(at(minute).getTime() + seconds * 1000);
  it.each([
    [
      "opens and submits one without start",
      open,
      none,
      at(0),
      { attempt: 1, late: false, opens: { number: 1, startedAt: at(0) } },
    ],
    [
      "counts completions from before attempts",
      open,
      { used: 3, latest: undefined },
      at(0),
      { attempt: 4, late: false, opens: { number: 4, startedAt: at(0) } },
    ],
    ["a timed test needs start", timed, none, at(0), { refused: "Start the test first." }],
    [
      "submits the started attempt",
      timed,
      started(1, 0),
      at(5),
      { attempt: 1, late: false, opens: undefined },
    ],
    [
      "scores within 30 s after the deadline",
      timed,
      started(1, 0),
      plusSeconds(10, 30),
      { attempt: 1, late: false, opens: undefined },
    ],
    [
      "is late after the grace",
      timed,
      started(1, 0),
      plusSeconds(10, 31),
      { attempt: 1, late: true, opens: undefined },
    ],
    [
      "accepts a started attempt after closing, late",
      { ...timed, closesAt: at(5) },
      started(1, 0),
      at(6),
      { attempt: 1, late: true, opens: undefined },
    ],
    [
      "no attempts left",
      { ...open, maxAttempts: 2 },
      started(2, 0, true),
      at(5),
      { refused: "No attempts left." },
    ],
    [
      "a timed test after a submitted attempt needs start",
      timed,
      started(1, 0, true),
      at(5),
      { refused: "Start the test first." },
    ],
    [
      "closed",
      { ...open, closesAt: at(5) },
      none,
      at(5),
      { refused: "This test closed at 2026-12-01T09:05:00.000Z." },
    ],
  ] as const)("%s", (_, settings, state, now, expected) => {
    expect(inEnglish(decideSubmission(settings, state, now))).toEqual(expected);
  });
});
