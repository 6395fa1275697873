/**
 * A runner's lease must outlive its slowest honest job: a question's first answer pays for two
 * runs (the teacher-only run, then the student's), each the time limit plus start-up slack.
 */
export const leaseMsFor = (timeLimitMs: number) => 2 * (timeLimitMs * 2 + 10_000);
