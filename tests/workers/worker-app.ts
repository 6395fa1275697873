import { env, SELF } from "cloudflare:test";
import { type ServedApi, servedApi } from "../helpers/api";

/** The Worker, reached through SELF, as the shared request helpers and the typed client reach it. */
export const worker: ServedApi = servedApi("http://worker", (input, init) =>
  SELF.fetch(input, init),
);

/** The Node build of the API, started by the global setup on the same database. */
export const nodeApi: ServedApi = {
  get baseUrl() {
    return env.NODE_API_URL;
  },
  fetch: (input, init) => fetch(input, init),
  app: { request: (path, init) => fetch(`${env.NODE_API_URL}${path}`, init) },
};
