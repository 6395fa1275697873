/** Applies the migrations in drizzle/ to DATABASE_URL (a file, or Turso with DATABASE_AUTH_TOKEN). */
import { databaseUrlForDisplay, parseConfig } from "../src/config";
import { applyMigrations, openNodeDatabase } from "../src/db/node-database";
import { progress } from "./progress";

const config = parseConfig(process.env);
const database = databaseUrlForDisplay(config.databaseUrl);
progress(`applying the migrations in drizzle/ to ${database} …`);
const client = await openNodeDatabase(config.databaseUrl, config.databaseAuthToken);
await applyMigrations(client);
client.close();
console.log(`migrations applied to ${database}`);
