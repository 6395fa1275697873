/**
 * Attempts at a test (CONTRACT §9): the window, the time limit and the number of attempts, as
 * pure rules over the test's settings, the student's attempts and the time. Settings apply as
 * they are now, also to attempts in progress: a deadline is computed, never stored.
 */

import { type Message, message } from "../i18n/messages";

/** A submission this long after its deadline is still scored; later ones are stored as late. */
export const deadlineGraceMs = 30_000;

export interface AttemptSettings {
  opensAt: Date | null;
  closesAt: Date | null;
  /** Seconds per attempt. */
  timeLimit: number | null;
  maxAttempts: number | null;
}

export interface StartedAttempt {
  number: number;
  startedAt: Date;
  submitted: boolean;
}

/** What a student has done at a test so far. */
export interface AttemptState {
  /** Attempts started, counting completions stored before attempts were (one each). */
  used: number;
  /** The attempt with the highest number. */
  latest: StartedAttempt | undefined;
}

export type Refusal = { refused: Message };

const iso = (time: Date) => time.toISOString();

/** Why the test can't be opened, started or submitted to at `now`; undefined inside its window. */
export function windowProblem(settings: AttemptSettings, now: Date): Message | undefined {
  if (settings.opensAt && now < settings.opensAt)
    return message("test_opens_at", { time: iso(settings.opensAt) });
  if (settings.closesAt && now >= settings.closesAt)
    return message("test_closed_at", { time: iso(settings.closesAt) });
  return undefined;
}

/** The earlier of start + time limit and the closing time; null when there is neither. */
export function deadlineOf(settings: AttemptSettings, startedAt: Date): Date | null {
  const limits = [
    settings.timeLimit === null ? undefined : startedAt.getTime() + settings.timeLimit * 1000,
    settings.closesAt?.getTime(),
  ].filter((time) => time !== undefined);
  return limits.length === 0 ? null : new Date(Math.min(...limits));
}

export const attemptsLeft = (settings: AttemptSettings, used: number) =>
  settings.maxAttempts === null ? null : Math.max(0, settings.maxAttempts - used);

/** The latest attempt while it is open: started, not submitted, its deadline not passed. */
export function openAttempt(
  settings: AttemptSettings,
  state: AttemptState,
  now: Date,
): StartedAttempt | undefined {
  const { latest } = state;
  if (!latest || latest.submitted) return undefined;
  const deadline = deadlineOf(settings, latest.startedAt);
  return deadline === null || now < deadline ? latest : undefined;
}

/** The attempt a submission at this moment would submit: whose question order the student sees. */
export const attemptToSubmit = (state: AttemptState) =>
  state.latest && !state.latest.submitted ? state.latest.number : state.used + 1;

export interface NewAttempt {
  number: number;
  startedAt: Date;
}

/** `start`: the open attempt again, a new one, or why not. */
export function decideStart(
  settings: AttemptSettings,
  state: AttemptState,
  now: Date,
): { open: StartedAttempt } | { start: NewAttempt } | Refusal {
  const open = openAttempt(settings, state, now);
  if (open) return { open };
  const closed = windowProblem(settings, now);
  if (closed) return { refused: closed };
  if (attemptsLeft(settings, state.used) === 0) return { refused: message("no_attempts_left") };
  return { start: { number: state.used + 1, startedAt: now } };
}

export interface SubmissionTarget {
  attempt: number;
  late: boolean;
  /** Set when the submission opens its attempt itself (no time limit, no `start`). */
  opens: NewAttempt | undefined;
}

/**
 * Which attempt a submission submits. A started attempt is always accepted — nothing a student
 * sends is lost — and is late once past its deadline and the grace. Without one, the test must be
 * in its window, untimed (a timed test is started first) and have attempts left.
 */
export function decideSubmission(
  settings: AttemptSettings,
  state: AttemptState,
  now: Date,
): SubmissionTarget | Refusal {
  const { latest } = state;
  if (latest && !latest.submitted) {
    const deadline = deadlineOf(settings, latest.startedAt);
    const late = deadline !== null && now.getTime() > deadline.getTime() + deadlineGraceMs;
    return { attempt: latest.number, late, opens: undefined };
  }
  const closed = windowProblem(settings, now);
  if (closed) return { refused: closed };
  if (settings.timeLimit !== null) return { refused: message("start_test_first") };
  if (attemptsLeft(settings, state.used) === 0) return { refused: message("no_attempts_left") };
  const number = state.used + 1;
  return { attempt: number, late: false, opens: { number, startedAt: now } };
}
