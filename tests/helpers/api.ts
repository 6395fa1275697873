import type { AppType } from "../../src/app";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A server listening at `baseUrl` (reached through `fetch`), called like the app in process. */
export interface ServedApi {
  baseUrl: string;
  fetch: Fetch;
  app: { request(path: string, init?: RequestInit): Promise<Response> };
}

/** What requests go to: the app in process (a `TestApp`), or a served one ({@link servedApi}). */
export type ApiTarget = { app: AppType } | ServedApi;

export function servedApi(baseUrl: string, send: Fetch = fetch): ServedApi {
  return {
    baseUrl,
    fetch: send,
    app: { request: (path, init) => send(new URL(path, baseUrl), init) },
  };
}

export type Credentials =
  | { bearer: string }
  | { basic: { email: string; password: string } }
  | { header: string };

export interface RequestOptions {
  json?: unknown;
  form?: Record<string, string>;
  multipart?: Record<string, string>;
  /** A raw body with the given content type (or none). */
  raw?: { body: RequestInit["body"]; contentType?: string };
  auth?: Credentials;
  headers?: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export function authorizationHeader(auth: Credentials): string {
  if ("bearer" in auth) return `Bearer ${auth.bearer}`;
  if ("basic" in auth)
    return `Basic ${Buffer.from(`${auth.basic.email}:${auth.basic.password}`).toString("base64")}`;
  return auth.header;
}

function encodeBody(options: RequestOptions): { body?: RequestInit["body"]; contentType?: string } {
  if (options.json !== undefined)
    return { body: JSON.stringify(options.json), contentType: "application/json" };
  if (options.form) {
    return {
      body: new URLSearchParams(options.form).toString(),
      contentType: "application/x-www-form-urlencoded",
    };
  }
  if (options.multipart) {
    const data = new FormData();
    for (const [key, value] of Object.entries(options.multipart)) data.append(key, value);
    return { body: data };
  }
  if (options.raw) return options.raw;
  return {};
}

/** Sends one request through the real app and reads the JSON body when there is one. */
export async function call(
  testApp: ApiTarget,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse> {
  const headers = new Headers(options.headers);
  const { body, contentType } = encodeBody(options);
  if (contentType) headers.set("content-type", contentType);
  if (options.auth) headers.set("authorization", authorizationHeader(options.auth));
  const response = await testApp.app.request(path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if (response.headers.get("content-type")?.includes("application/json") && text)
    parsed = JSON.parse(text);
  return { status: response.status, body: parsed, headers: response.headers, text };
}
