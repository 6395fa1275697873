// Runs one Python program in pyodide, inside a Node process started with the permission model on
// (no writes, no child processes, no workers, reads of the pyodide folder and snapshot only), in
// its own pid, network and mount namespaces and, when the API runs as root, as an unprivileged
// uid. Started by pyodide.ts. Stdin: one line {"source"}, then the program's input, which the
// program reads as it comes with `channel_read(size)` (bytes as a Uint8Array, empty at the end);
// it writes its result lines with `channel_write(line)`, which go to file descriptor 3.
import fs from "node:fs";

const [pyodideDir, snapshotPath] = process.argv.slice(2);

// Pyodide's file system setup asks for fs constants through process.binding, which the
// permission model forbids; hand it the same constants from the public API.
const binding = process.binding;
process.binding = (name) =>
  name === "constants" ? { fs: fs.constants, os: { signals: {} } } : binding.call(process, name);

let pending = Buffer.alloc(0);
/** Up to `size` bytes of stdin, waiting for them; empty at its end. */
function readSome(size) {
  if (pending.length > 0) {
    const out = pending.subarray(0, size);
    pending = pending.subarray(out.length);
    return out;
  }
  const buffer = Buffer.alloc(size);
  for (;;) {
    try {
      return buffer.subarray(0, fs.readSync(0, buffer, 0, size, null));
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

let header = Buffer.alloc(0);
for (let chunk = readSome(65536); chunk.length > 0; chunk = readSome(65536)) {
  header = Buffer.concat([header, chunk]);
  const newline = header.indexOf(10);
  if (newline >= 0) {
    pending = header.subarray(newline + 1);
    header = header.subarray(0, newline);
    break;
  }
}
const { source } = JSON.parse(header.toString("utf8"));

const { loadPyodide } = await import(`${pyodideDir}/pyodide.mjs`);
const pyodide = await loadPyodide({
  indexURL: `${pyodideDir}/`,
  _loadSnapshot: fs.readFileSync(snapshotPath),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdin: () => null,
});
// The permission model checks the native realpath but not realpathSync's JavaScript one, which
// would tell an answer whether any host file exists: only the checked one is left.
const checkedRealpath = fs.realpathSync.native;
fs.realpathSync = Object.assign((path, options) => checkedRealpath(path, options), {
  native: checkedRealpath,
});
const globals = pyodide.toPy({ __name__: "__main__" });
globals.set("channel_write", (line) => fs.writeSync(3, `${line}\n`));
globals.set("channel_read", (size) => new Uint8Array(readSome(size)));
try {
  pyodide.runPython(source, { globals });
} finally {
  process.exit(0);
}
