import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createStore, type Store } from "./client";
import { GroupCommitStore, type WriteStats } from "./group-commit";
import { NativeClient, ownTransactions } from "./native-client";
import { PreparedConnection } from "./prepared-connection";

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), "../../drizzle");

/** A `file:` URL's path, or undefined for `:memory:` and remote databases. */
function localFilePath(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0] ?? "";
  return path === "" || path === ":memory:" ? undefined : path;
}

/** Opens the database through `@libsql/client`, creating the folder of a local file and switching it to WAL. */
export async function openNodeDatabase(url: string, authToken?: string): Promise<Client> {
  const filePath = localFilePath(url);
  if (filePath) mkdirSync(dirname(resolve(filePath)), { recursive: true });
  const client = createClient({ url, authToken });
  if (filePath) await client.execute("PRAGMA journal_mode = WAL");
  await client.execute("PRAGMA foreign_keys = ON");
  return client;
}

export async function applyMigrations(client: Client): Promise<void> {
  await migrate(drizzle(client), { migrationsFolder });
}

/** The Node runtime's store, migrated, with what the process needs to report on it and close it. */
export interface NodeStore extends Store {
  /** Writes and the commits they took, where writes are committed in groups. */
  readonly stats?: WriteStats;
  close(): Promise<void>;
}

/**
 * A local file gets the group-commit store over prepared native connections (a writer and a
 * reader, WAL); a remote database (Turso) or `:memory:` gets `@libsql/client`, as the Worker does.
 */
export async function openNodeStore(url: string, authToken?: string): Promise<NodeStore> {
  const filePath = localFilePath(url);
  if (!filePath) return clientStore(await openNodeDatabase(url, authToken));
  mkdirSync(dirname(resolve(filePath)), { recursive: true });
  const writer = new PreparedConnection(filePath);
  writer.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON");
  await migrate(drizzle(new NativeClient(writer, ownTransactions)), { migrationsFolder });
  const reader = new PreparedConnection(filePath);
  reader.exec("PRAGMA foreign_keys = ON; PRAGMA query_only = ON");
  return new GroupCommitStore({ reader, writer });
}

async function clientStore(client: Client): Promise<NodeStore> {
  await applyMigrations(client);
  return { ...createStore(client), close: async () => client.close() };
}
