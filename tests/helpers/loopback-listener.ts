import { createServer, type Server } from "node:net";

export interface LoopbackListener {
  port: number;
  /** How many connections ever arrived: a sandboxed answer must never open one. */
  connections(): number;
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 that counts every connection and answers it with a "secret". */
export async function startLoopbackListener(): Promise<LoopbackListener> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.end("secret");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
