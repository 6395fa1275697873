import { Hono } from "hono";
import { organizations } from "../../db/schema";
import type { AppEnv } from "../../http/context";
import { detailIn } from "../../http/errors";
import { message } from "../../i18n/messages";

/** A probe that gets no answer within this long counts as failed: an orchestrator must not hang. */
const probeTimeoutMs = 2000;

type Probe<T> = { ok: true; value: T } | { ok: false };

async function probe<T>(work: () => Promise<T>): Promise<Probe<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<Probe<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false }), probeTimeoutMs);
  });
  try {
    return await Promise.race([
      work().then(
        (value): Probe<T> => ({ ok: true, value }),
        (): Probe<T> => ({ ok: false }),
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * CONTRACT §13: liveness (the process answers; no database) and readiness (the database can be
 * read, and the grading queue answers). No credentials, nothing of the configuration beyond the
 * sandbox's kind; never cached.
 */
export const healthRouter = new Hono<AppEnv>()
  .get("/healthz", (c) => c.json({ status: "ok" }, 200, { "Cache-Control": "no-store" }))
  .get("/readyz", async (c) => {
    const { store, grading, sandbox } = c.var.deps;
    const [database, queue] = await Promise.all([
      probe(() => store.db.select({ id: organizations.id }).from(organizations).limit(1)),
      probe(() => grading.pending(0)),
    ]);
    const body = {
      database: database.ok ? "ok" : "unavailable",
      grading: { queued: queue.ok ? queue.value.total : null, sandbox },
    };
    if (database.ok && queue.ok)
      return c.json({ status: "ready", ...body }, 200, { "Cache-Control": "no-store" });
    const failing = message(database.ok ? "not_ready_grading_queue" : "not_ready_database");
    return c.json({ status: "unavailable", ...detailIn(c.var.language, failing), ...body }, 503, {
      "Cache-Control": "no-store",
      "Retry-After": "5",
    });
  });
