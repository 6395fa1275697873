import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { DocsAssetReader } from "./context";

/** Swagger UI's files from the installed `swagger-ui-dist` package, so the docs work offline. */
export function swaggerUiAssetsFromNodeModules(): DocsAssetReader {
  const folder = createRequire(import.meta.url)("swagger-ui-dist").getAbsoluteFSPath() as string;
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
