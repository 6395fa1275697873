/** Each runner slot's sandbox runs as its own unprivileged uid, so process limits are per slot. */
export const sandboxUid = (slot: number) => 60_000 + slot;
