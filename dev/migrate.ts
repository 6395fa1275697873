/** Applies the migrations in drizzle/ to DATABASE_URL (a file, or Turso with DATABASE_AUTH_TOKEN). */
import { parseConfig } from "../src/config";
import { applyMigrations, openNodeDatabase } from "../src/db/node-database";

const config = parseConfig(process.env);
const client = await openNodeDatabase(config.databaseUrl, config.databaseAuthToken);
await applyMigrations(client);
client.close();
console.log(`migrations applied to ${config.databaseUrl.replace(/\/\/[^@/]*@/, "//")}`);
