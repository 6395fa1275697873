/**
 * Copies Swagger UI's files for the docs page into the Worker's static assets folder
 * (wrangler.toml `[assets]`), at the path the page asks for them: Cloudflare serves them before
 * the Worker runs. `npm run dev`, `npm run build:worker` and the Workers tests call it.
 *
 *   npx tsx dev/docs-assets.ts
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { docsAssetsPath, docsAssetTypes } from "../src/routes/docs/index";

/** The folder `[assets] directory` names in wrangler.toml. */
export const workerAssetsFolder = "dist/assets";

export function copyDocsAssets(root = resolve(fileURLToPath(import.meta.url), "../..")): void {
  const source = createRequire(import.meta.url)("swagger-ui-dist").getAbsoluteFSPath() as string;
  const target = join(root, workerAssetsFolder, docsAssetsPath);
  mkdirSync(target, { recursive: true });
  for (const name of Object.keys(docsAssetTypes))
    copyFileSync(join(source, name), join(target, name));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  copyDocsAssets();
