/**
 * `npm run build`: bundles the Node entry (our modules; packages stay in node_modules) into one
 * JavaScript file that `npm start` runs with plain `node`. Files the code finds next to itself
 * (`new URL("./harness.py", import.meta.url)`, `drizzle/`, packages through `createRequire`) are
 * found in the source tree: each module's `import.meta.url` stays the URL of its source file.
 */
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Replaces `import.meta.url` in our sources with their own URL, relative to the bundle. */
function sourceLocatedModules(outdir: string): Plugin {
  return {
    name: "source-located-modules",
    setup(context) {
      context.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        const source = await readFile(path, "utf8");
        const fromBundle = relative(outdir, path).split("\\").join("/");
        return {
          contents: source.replaceAll(
            "import.meta.url",
            `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
          ),
          loader: "ts",
        };
      });
    },
  };
}

/** Bundles `entry` (a path from the project root) into `outfile`, with a source map beside it. */
export async function buildNode(entry: string, outfile: string): Promise<void> {
  const outdir = dirname(resolve(root, outfile));
  await build({
    entryPoints: [resolve(root, entry)],
    outfile: resolve(root, outfile),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    plugins: [sourceLocatedModules(outdir)],
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildNode("src/node.ts", process.argv[2] ?? "dist/node/node.js");
}
