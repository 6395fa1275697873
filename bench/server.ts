/**
 * `npm start` for benchmarks: the same Node server, plus one bare Hono route returning a constant
 * JSON body (`/__ceiling`), the ceiling every endpoint is compared with.
 */
import { Hono } from "hono";
import { exitOnStartFailure, runNodeServer } from "../src/node-server";

const ceiling = new Hono().get("/__ceiling", (c) => c.json({ ok: true }));

runNodeServer(process.env, (app) => ({
  // The other arguments carry the Node connection, which the app reads client addresses from.
  fetch: (request, env, executionContext) =>
    request.url.endsWith("/__ceiling")
      ? ceiling.fetch(request)
      : app.fetch(request, env, executionContext),
})).catch(exitOnStartFailure);
