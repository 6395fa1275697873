import { type ClientResponse, hc } from "hono/client";
import { testClient } from "hono/testing";
import type { SuccessStatusCode } from "hono/utils/http-status";
import type { AppType } from "../../src/app";
import { type ApiResponse, type ApiTarget, authorizationHeader, type Credentials } from "./api";

/**
 * The typed client of the API (`hc<AppType>`): `testClient` for the app in process, `hc` over
 * HTTP for a served one; every request carries `auth` when given, and `headers`.
 * Hono's client spells a path declared with a trailing slash without it (`.index`); the contract
 * accepts both spellings.
 */
export function client(t: ApiTarget, auth?: Credentials, headers: Record<string, string> = {}) {
  const options = {
    headers: auth ? { ...headers, authorization: authorizationHeader(auth) } : headers,
  };
  if ("baseUrl" in t) return hc<AppType>(t.baseUrl, { ...options, fetch: t.fetch });
  return testClient(t.app, undefined, undefined, options);
}

export type ApiClient = ReturnType<typeof client>;

/** The JSON body of a response's successful statuses, as the route declares it. */
type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, infer _Format>
    ? S extends SuccessStatusCode
      ? T
      : never
    : never;

/**
 * Reads a typed client's response like `call` does: status, headers, text, and the JSON body
 * (typed as the route's successful answer; error bodies are read through `toEqual` or `text`).
 */
export async function responseOf<R extends ClientResponse<unknown>>(
  pending: Promise<R>,
): Promise<ApiResponse<SuccessBody<R>>> {
  const response = await pending;
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("application/json") && text;
  return {
    status: response.status,
    body: (isJson ? JSON.parse(text) : text) as SuccessBody<R>,
    headers: response.headers,
    text,
  };
}

/** An error body in the contract's shapes: `detail`, a token error's `code`, or field → messages. */
// biome-ignore lint/suspicious/noExplicitAny: tests read error bodies field by field, as `call` does
export type ErrorBody = Record<string, any>;

/** The item at `index` of a response's list; a list too short fails the test here. */
export function itemAt<T>(items: readonly T[] | undefined, index: number): T {
  const item = items?.[index];
  if (item === undefined) throw new Error(`no item ${index} in ${JSON.stringify(items)}`);
  return item;
}
