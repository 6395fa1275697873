import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { PyodideSandbox, pyodideIsolation } from "../../src/grading/sandbox/pyodide";
import { defaultLimits, type Sandbox } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";
import { type LoopbackListener, startLoopbackListener } from "../helpers/loopback-listener";

/** pyodide gets more time: its runs are slow to allocate, and this machine may be busy. */
const limitsOf = (timeLimitMs: number) => defaultLimits(timeLimitMs, 256);
const projectFile = fileURLToPath(new URL("../../package.json", import.meta.url));
const addTests = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(0, 0) == 0";
const correctAdd = "def add(a, b):\n    return a + b\n";

/** A program that fails the tests unless it manages something it must not. */
const mustFail = (attempt: string) => `${attempt}\n${correctAdd}`;

const backends: [string, number, (timeLimitMs: number) => Promise<Sandbox>][] = [
  ["bwrap", 2000, async (timeLimitMs) => new BwrapSandbox(limitsOf(timeLimitMs), 3)],
  [
    "pyodide",
    5000,
    async (timeLimitMs) =>
      new PyodideSandbox(limitsOf(timeLimitMs), (await pyodideIsolation()) ?? "uid", 3),
  ],
];

describe.each(backends)("the %s sandbox", (_, timeLimitMs, createSandbox) => {
  let grader: Grader;
  const run = async (code: string, testingCode = addTests) =>
    inEnglish(await grader.grade({ code, testingCode }));

  let listener: LoopbackListener;
  beforeAll(async () => {
    grader = new Grader(await createSandbox(timeLimitMs));
    process.env.TESTIT_SERVER_SECRET = "do-not-leak-me";
    listener = await startLoopbackListener();
  });
  afterAll(async () => {
    await listener.close();
    delete process.env.TESTIT_SERVER_SECRET;
  });

  it("passes correct code on every case", async () => {
    expect(await run(correctAdd)).toEqual({ passed: 3, total: 3, raised: false, errors: null });
  });

  it("reports a failing assert with its line and message, and runs the next statements", async () => {
    const report = await run("def add(a, b):\n    return abs(a) + b\n");
    expect(report).toMatchObject({ passed: 2, total: 3, raised: false });
    expect(report.errors).toBe("Line 2: assert add(-1, 1) == 0\nAssertionError");
  });

  it("shows the student's own exception without harness frames", async () => {
    const report = await run("def add(a, b):\n    return a / 0\n");
    expect(report).toMatchObject({ passed: 0, total: 3 });
    expect(report.errors).toContain('File "<answer>", line 2, in add');
    expect(report.errors).toContain("ZeroDivisionError: division by zero");
    expect(report.errors).not.toContain("harness");
  });

  it("fails the remaining cases after an exception outside an assert", async () => {
    const report = await run(
      correctAdd,
      "assert add(1, 1) == 2\nraise ValueError('boom')\nassert add(2, 2) == 4",
    );
    expect(report).toMatchObject({ passed: 1, total: 2, raised: true });
    expect(report.errors).toContain("ValueError: boom");
  });

  it("stops an infinite loop at the time limit", async () => {
    const report = await run("while True:\n    pass");
    expect(report).toMatchObject({
      passed: 0,
      raised: true,
      errors: `Time limit exceeded (${timeLimitMs / 1000} s)`,
    });
  });

  it("stops a memory bomb at the memory limit", async () => {
    const report = await run(mustFail("hog = bytearray(1024 * 1024 * 1024)"));
    expect(report).toMatchObject({ passed: 0, errors: "Memory limit exceeded" });
  });

  it("contains a fork bomb", async () => {
    const report = await run(
      mustFail(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
      ),
    );
    expect(report.passed).toBe(0);
    expect(report.raised).toBe(true);
  });

  it("stops a 100 MB print at a limit", async () => {
    // CPython streams it and meets the output limit; pyodide builds the string first and may meet
    // the memory limit before printing (or, on a busy machine, the time limit). Either way it is
    // stopped and fails.
    const report = await run(mustFail("print('x' * 100_000_000)"));
    expect(report.passed).toBe(0);
    expect(report.errors).toMatch(/^(Output|Memory|Time) limit exceeded/);
  });

  it.each([
    ["sys.exit(0)", "import sys\nsys.exit(0)"],
    ["os._exit(0)", "import os\nos._exit(0)"],
    ["raise SystemExit", "raise SystemExit"],
  ])("scores %s as 0", async (_, exit) => {
    const report = await run(`${correctAdd}${exit}`);
    expect(report.passed).toBe(0);
    expect(report.raised).toBe(true);
  });

  it("scores code that exits in the middle of the tests as 0", async () => {
    const report = await run(
      correctAdd,
      "assert add(1, 1) == 2\nimport os\nos._exit(0)\nassert add(2, 2) == 4",
    );
    expect(report.passed).toBe(0);
  });

  it("ignores fake result lines on stdout and stderr", async () => {
    const fake = [
      "print('{\"plan\": 0}')",
      "print('{\"done\": true}')",
      "import sys",
      'sys.stderr.write(\'{"case": 1, "ok": true}\\n\')',
      "sys.stderr = sys.stdout",
      'print("3 passed, 0 failed")',
    ].join("\n");
    // add(a, b) = 0 honestly passes two of the three cases, and nothing printed changes that.
    const report = await run(`${fake}\ndef add(a, b):\n    return 0\n`);
    expect(report.passed).toBe(2);
    expect(report.total).toBe(3);
  });

  it("cannot forge results by writing to the result channel", async () => {
    // Reports that every probe is True, and that the run is done, on every descriptor.
    const frames =
      '["start"]\\n["p",0,["b",true]]\\n["p",1,["b",true]]\\n["p",2,["b",true]]\\n["done"]\\n';
    const forge = `import os\nfor fd in range(1, 64):\n    try:\n        os.write(fd, b'${frames}')\n    except OSError:\n        pass\ndef add(a, b):\n    return 0\n`;
    // Honestly add() = 0 passes two cases; forged values (True) pass none of them. (Under
    // pyodide the descriptors are emscripten's and the frames go nowhere: two cases pass.)
    const report = await run(forge);
    expect(report.passed).toBeLessThanOrEqual(2);
    expect(report.errors).toContain("Line 1: assert add(1, 2) == 3");
  });

  it("cannot read the server's environment variables, directly or through /proc", async () => {
    const hunt = [
      "import os, glob",
      "found = 'TESTIT_SERVER_SECRET' in os.environ",
      "for path in glob.glob('/proc/*/environ'):",
      "    try:",
      "        found = found or b'do-not-leak-me' in open(path, 'rb').read()",
      "    except OSError:",
      "        pass",
      "def add(a, b):",
      "    return a + b if found else None",
    ].join("\n");
    expect((await run(hunt)).passed).toBe(0);
  });

  it("cannot read files of the project or /etc/shadow", async () => {
    for (const path of [projectFile, "/etc/shadow", "/root/.bashrc"]) {
      const report = await run(mustFail(`print(open(${JSON.stringify(path)}).read())`));
      expect(report.passed, path).toBe(0);
      expect(report.errors, path).toMatch(/FileNotFoundError|PermissionError/);
    }
  });

  it("cannot open a socket to a listener on 127.0.0.1", async () => {
    const report = await run(
      mustFail(
        `import socket\nsocket.create_connection(("127.0.0.1", ${listener.port}), timeout=1).recv(10)`,
      ),
    );
    expect(report.passed).toBe(0);
    expect(report.errors).toMatch(/ConnectionRefusedError|OSError|unreachable/i);
    expect(listener.connections()).toBe(0);
  });

  it("cannot write to the host's files", async () => {
    const marker = `testit-escape-${process.pid}-${Date.now()}`;
    const targets = [
      `/tmp/${marker}`,
      fileURLToPath(new URL(`../../${marker}`, import.meta.url)),
      `/var/tmp/${marker}`,
    ];
    const attempts = targets.flatMap((path) => [
      `try:\n    open(${JSON.stringify(path)}, "w").write("x")\nexcept OSError:\n    pass`,
      `try:\n    import js\n    js.process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(path)}, "x")\nexcept Exception:\n    pass`,
    ]);
    const report = await run(`${attempts.join("\n")}\n${correctAdd}`);
    expect(report.passed).toBe(3);
    for (const path of targets) expect(existsSync(path), path).toBe(false);
    const scratch = await run(
      `open("/tmp/scratch", "w").write("ok")\nassert open("/tmp/scratch").read() == "ok"\n${correctAdd}`,
    );
    expect(scratch.passed).toBe(3);
  });

  it("cannot escape through a JavaScript bridge", async () => {
    const escapes = [
      "import js",
      "escaped = []",
      "for attempt in (",
      `    lambda: js.process.getBuiltinModule("fs").readFileSync(${JSON.stringify(projectFile)}, "utf8"),`,
      '    lambda: js.process.getBuiltinModule("child_process").execSync("id").toString(),',
      "):",
      "    try:",
      "        attempt()",
      "        escaped.append(attempt)",
      "    except Exception:",
      "        pass",
      "try:",
      // A connection would only open after the run: the listener counts whether it ever does.
      `    js.process.getBuiltinModule("net").connect(${listener.port}, "127.0.0.1")`,
      "except Exception:",
      "    pass",
      "def add(a, b):",
      "    return a + b if escaped else None",
    ].join("\n");
    const report = await run(escapes);
    expect(report.passed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.connections()).toBe(0);
  });

  it("cannot tell whether a host file exists", async () => {
    const probes = [
      "import os",
      "def seen(path):",
      "    found = []",
      "    try:",
      "        import js",
      '        fs = js.process.getBuiltinModule("fs")',
      "        checks = (fs.realpathSync, fs.realpathSync.native, fs.existsSync, fs.statSync, fs.lstatSync)",
      "    except ImportError:",
      "        checks = (os.path.realpath, os.path.exists, os.stat)",
      "    for check in checks:",
      "        try:",
      "            found.append(str(check(path)))",
      "        except Exception as error:",
      "            found.append(type(error).__name__ + str(getattr(error, 'code', '')))",
      "    return found",
      `known = seen(${JSON.stringify(projectFile)})`,
      `unknown = seen(${JSON.stringify(`${projectFile}.missing`)})`,
      "distinct = [a for a, b in zip(known, unknown) if a.replace('.missing', '') != b.replace('.missing', '')]",
      "def add(a, b):",
      "    return a + b if distinct else None",
    ].join("\n");
    expect((await run(probes)).passed).toBe(0);
  });

  it("cannot leave a process running", async () => {
    await run(
      `import subprocess\nsubprocess.Popen(["/usr/bin/sleep", "30"], start_new_session=True)\n${correctAdd}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sleepers = execFileSync("ps", ["-eo", "args"])
      .toString()
      .split("\n")
      .filter((line) => line.trim() === "/usr/bin/sleep 30");
    expect(sleepers).toEqual([]);
  });
});
