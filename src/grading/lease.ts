/** A runner's lease must outlive its slowest honest run: the time limit plus start-up slack. */
export const leaseMsFor = (timeLimitMs: number) => timeLimitMs * 2 + 10_000;
