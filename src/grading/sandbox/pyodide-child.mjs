// Runs one code answer in pyodide, inside a Node process started with the permission model on
// (no writes, no child processes, no workers, reads of the pyodide folder only) and, where the
// kernel allows, in a network namespace of its own. Started by pyodide.ts; reads the job on
// stdin and writes the harness's frames to file descriptor 3.
import fs from "node:fs";

const [pyodideDir, snapshotPath, harnessPath] = process.argv.slice(2);

// Pyodide's file system setup asks for fs constants through process.binding, which the
// permission model forbids; hand it the same constants from the public API.
const binding = process.binding;
process.binding = (name) =>
  name === "constants" ? { fs: fs.constants, os: { signals: {} } } : binding.call(process, name);

const { loadPyodide } = await import(`${pyodideDir}/pyodide.mjs`);
const job = JSON.parse(fs.readFileSync(0, "utf8"));
const pyodide = await loadPyodide({
  indexURL: `${pyodideDir}/`,
  _loadSnapshot: fs.readFileSync(snapshotPath),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdin: () => null,
});
const harness = pyodide.runPython(`
import types
harness = types.ModuleType("harness")
exec(compile(${JSON.stringify(fs.readFileSync(harnessPath, "utf8"))}, "harness.py", "exec"), harness.__dict__)
harness`);
harness.run_job(pyodide.toPy(job), (line) => fs.writeSync(3, line));
process.exit(0);
