/**
 * `npm start` for benchmarks: the same Node server, plus one bare Hono route returning a constant
 * JSON body (`/__ceiling`), the ceiling every endpoint is compared with, and `/__event-loop`,
 * the server's event-loop delay since the last call (`perf_hooks.monitorEventLoopDelay`).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Hono } from "hono";
import { exitOnStartFailure, runNodeServer } from "../src/node-server";

/** A fresh histogram per reading: right after `reset()` a long block can go unrecorded. */
function startEventLoopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return histogram;
}
let eventLoopDelay = startEventLoopDelay();
const milliseconds = (nanoseconds: number) => Math.round(nanoseconds / 1e4) / 100;

const benchRoutes = new Hono()
  .get("/__ceiling", (c) => c.json({ ok: true }))
  .get("/__event-loop", (c) => {
    const figures = {
      p50: milliseconds(eventLoopDelay.percentile(50)),
      p99: milliseconds(eventLoopDelay.percentile(99)),
      max: milliseconds(eventLoopDelay.max),
      mean: milliseconds(eventLoopDelay.mean),
    };
    eventLoopDelay.disable();
    eventLoopDelay = startEventLoopDelay();
    return c.json(figures);
  });

runNodeServer(process.env, (app) => ({
  // The other arguments carry the Node connection, which the app reads client addresses from.
  fetch: (request, env, executionContext) =>
    new URL(request.url).pathname.startsWith("/__")
      ? benchRoutes.fetch(request)
      : app.fetch(request, env, executionContext),
})).catch(exitOnStartFailure);
