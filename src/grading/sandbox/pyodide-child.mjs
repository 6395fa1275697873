// Runs one Python program in pyodide, inside a Node process started with the permission model on
// (no writes, no child processes, no workers, reads of the pyodide folder and snapshot only), in
// its own pid, network and mount namespaces and, when the API runs as root, as an unprivileged
// uid. Started by pyodide.ts; reads {"source", "input"} on stdin. The program gets its input as
// the global `channel_input` (a str) and writes its result lines with `channel_write(line)`,
// which go to file descriptor 3.
import fs from "node:fs";

const [pyodideDir, snapshotPath] = process.argv.slice(2);

// Pyodide's file system setup asks for fs constants through process.binding, which the
// permission model forbids; hand it the same constants from the public API.
const binding = process.binding;
process.binding = (name) =>
  name === "constants" ? { fs: fs.constants, os: { signals: {} } } : binding.call(process, name);

const { loadPyodide } = await import(`${pyodideDir}/pyodide.mjs`);
const { source, input } = JSON.parse(fs.readFileSync(0, "utf8"));
const pyodide = await loadPyodide({
  indexURL: `${pyodideDir}/`,
  _loadSnapshot: fs.readFileSync(snapshotPath),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdin: () => null,
});
const globals = pyodide.toPy({ __name__: "__main__", channel_input: input });
globals.set("channel_write", (line) => fs.writeSync(3, `${line}\n`));
try {
  pyodide.runPython(source, { globals });
} finally {
  process.exit(0);
}
