/**
 * An HTTP proxy in front of sqld that counts the requests passing through it (each one a round
 * trip to the database) and can hold each of them for a while, as a far-away Turso would.
 *
 *   GET  /__proxy/round-trips   → {"count": n, "statements": [[sql, ...], ...]} since the last reset
 *   POST /__proxy/reset         → zeroes the count
 *   POST /__proxy/delay?ms=30   → adds 30 ms before forwarding each request
 *   POST /__proxy/outage?on=1   → answers 502 to every database request, as a gateway in front of
 *                                 an unreachable database would (on=0 ends it)
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundTripProxy {
  url: string;
  stop(): Promise<void>;
}

interface HranaStatement {
  sql?: string;
  sql_id?: number;
}

/** The SQL texts of a Hrana pipeline body, so a count can say what the round trips were. */
function statementsOf(body: string): string[] {
  try {
    const pipeline = JSON.parse(body) as {
      requests?: {
        type: string;
        sql?: string;
        sql_id?: number;
        stmt?: HranaStatement;
        batch?: { steps: { stmt: HranaStatement }[] };
      }[];
    };
    const requests = pipeline.requests ?? [];
    const stored = new Map(
      requests.flatMap((request) =>
        request.type === "store_sql" ? [[request.sql_id, request.sql] as const] : [],
      ),
    );
    const text = (statement: HranaStatement) =>
      statement.sql ?? stored.get(statement.sql_id) ?? "(stored earlier)";
    return requests.flatMap((request) => {
      if (request.stmt) return [text(request.stmt)];
      if (request.batch) return request.batch.steps.map((step) => text(step.stmt));
      return [];
    });
  } catch {
    return [];
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startRoundTripProxy(options: {
  target: string;
  delayMs?: number;
  port?: number;
}): Promise<RoundTripProxy> {
  let delayMs = options.delayMs ?? 0;
  let outage = false;
  let trips: string[][] = [];
  const server: Server = createServer(async (request, response) => {
    const path = request.url ?? "/";
    if (path.startsWith("/__proxy/")) {
      const control = new URL(path, "http://proxy");
      if (control.pathname === "/__proxy/reset") trips = [];
      if (control.pathname === "/__proxy/delay") delayMs = Number(control.searchParams.get("ms"));
      if (control.pathname === "/__proxy/outage") outage = control.searchParams.get("on") === "1";
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ count: trips.length, statements: trips, delayMs, outage }));
      return;
    }
    if (outage) {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end("outage");
      return;
    }
    const body = await readBody(request);
    if (request.method === "POST") trips.push(statementsOf(body.toString("utf8")));
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    try {
      const upstream = await fetch(new URL(path, options.target), {
        method: request.method,
        headers: {
          "content-type": request.headers["content-type"] ?? "application/json",
          ...(request.headers.authorization
            ? { authorization: request.headers.authorization }
            : {}),
        },
        body:
          request.method === "GET" || request.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      response.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
      });
      response.end(answer);
    } catch (error) {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(String(error));
    }
  });
  // Idle connections stay open: a client reusing one just as the server closes it would see
  // "Network connection lost" (Node closes idle keep-alive connections after 5 s by default).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
