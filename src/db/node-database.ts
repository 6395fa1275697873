import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), "../../drizzle");

/** A `file:` URL's path, or undefined for `:memory:` and remote databases. */
function localFilePath(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0] ?? "";
  return path === "" || path === ":memory:" ? undefined : path;
}

/** Opens the database, creating the folder of a local file and switching it to WAL. */
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
