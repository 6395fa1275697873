import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { DocsAssetReader } from "./context";

/** Swagger UI's files from the installed `swagger-ui-dist` package, so the docs work offline. */
export function swaggerUiAssetsFromNodeModules(): DocsAssetReader {
  // The package's folder, found without loading its main module (all of Swagger UI's code).
  const folder = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Promise<Uint8Array | undefined>>();
  return (name) => {
    let file = cache.get(name);
    if (!file) {
      file = readFile(join(folder, name)).then(
        (bytes) => new Uint8Array(bytes),
        () => undefined,
      );
      cache.set(name, file);
    }
    return file;
  };
}
