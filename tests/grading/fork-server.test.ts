/**
 * A slot's Python runs are children of one long-lived fork server: answer A, then answer B of
 * another student, in the same sandbox. Whatever A leaves or does (processes, files in /tmp and
 * /dev/shm, System V IPC, keys, signal handlers, attacks on the fork server itself, a memory
 * flood) must not reach B: B sees a fresh sandbox and is graded correctly. Real sandbox.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox, bwrapInstalled } from "../../src/grading/sandbox/bwrap";
import { defaultLimits, type SandboxProgram } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";

const canRun = (await bwrapInstalled()) && process.getuid?.() === 0;
const sandbox = new BwrapSandbox(defaultLimits(3000, 128), 21);
const grader = new Grader(sandbox);
const grade = async (answer: { code: string; testingCode: string }) =>
  inEnglish(await grader.grade(answer));

const question = "assert add(1, 2) == 3\nassert add(-1, 1) == 0";
const correct = { code: "def add(a, b):\n    return a + b\n", testingCode: question };
const fullMarks = { passed: 2, total: 2, raised: false, errors: null };

/** A raw program in the fork server: reports what it finds as one JSON line on the channel. */
const inspect = (source: string): SandboxProgram => ({
  interpreter: "python",
  source: `import json, os\nreport = {}\n${source}\nos.write(3, json.dumps(report).encode())`,
  input: "",
});

/** What a fresh sandbox shows a run: the processes, files, IPC objects and keys it can see. */
const lookAround = inspect(
  [
    "me = os.getpid()",
    "report['processes'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, me, os.getppid()))",
    "report['tmp'] = sorted(os.listdir('/tmp'))",
    "report['shm'] = sorted(os.listdir('/dev/shm'))",
    "report['sysv'] = sum(len(open('/proc/sysvipc/' + k).readlines()) - 1 for k in ('shm', 'sem', 'msg'))",
    "report['keys'] = [line for line in open('/proc/keys') if 'leak' in line or ('_persistent' in line and not line.rstrip().endswith(': empty'))]",
    "report['fds'] = sorted(int(fd) for fd in os.listdir('/proc/self/fd'))",
    "import signal",
    "report['handlers'] = [h if callable(h) and not isinstance(h, int) else int(h) for h in map(signal.getsignal, (signal.SIGTERM, signal.SIGUSR1, signal.SIGPIPE))]",
    "report['handlers'].append(signal.getsignal(signal.SIGINT) is signal.default_int_handler)",
  ].join("\n"),
);
const fresh = {
  processes: [],
  tmp: [],
  shm: [],
  sysv: 0,
  keys: [],
  // As in a fresh interpreter: SIGTERM and SIGUSR1 default, SIGPIPE ignored, SIGINT Python's.
  handlers: [0, 0, 1, true],
};

async function freshAfter(attack: string) {
  await grade({ code: attack, testingCode: question });
  const seen = JSON.parse((await sandbox.execute(lookAround)).channel);
  // The descriptors: 0-3 and the one listing /proc/self/fd.
  expect(seen.fds.filter((fd: number) => fd > 3)).toHaveLength(1);
  expect({ ...seen, fds: undefined }).toEqual({ ...fresh, fds: undefined });
  expect(await grade(correct)).toEqual(fullMarks);
}

describe.skipIf(!canRun)("the fork server between two answers of one slot", () => {
  it("grades a correct answer right after a daemon, files, IPC objects, keys and handlers", async () => {
    await freshAfter(
      [
        "import os, signal, ctypes, time",
        "signal.signal(signal.SIGTERM, lambda *a: None)",
        "open('/tmp/left', 'w').write('for the next student')",
        "open('/dev/shm/left', 'w').write('for the next student')",
        "os.mkdir('/tmp/locked'); open('/tmp/locked/x', 'w').write('x'); os.chmod('/tmp/locked', 0)",
        "libc = ctypes.CDLL(None)",
        "libc.shmget(4242, 4096, 0o1666)",
        "persistent = libc.syscall(250, 22, -1, -3)",
        "for keyring in (-3, -4, -5, persistent):",
        "    libc.syscall(248, b'user', b'leak', b'secret', 6, keyring)",
        "if os.fork() == 0:",
        "    os.setsid()",
        "    if os.fork() == 0:",
        "        signal.signal(signal.SIGTERM, signal.SIG_IGN)",
        "        time.sleep(60)",
        "    os._exit(0)",
        "def add(a, b):",
        "    return a + b",
      ].join("\n"),
    );
  });

  it("empties folders nested past the open-file limit and PATH_MAX, keeping its fork server", async () => {
    // A replaced fork server has the same pid in its new sandbox: its start time tells them apart.
    const forkServer = async () =>
      JSON.parse(
        (
          await sandbox.execute(
            inspect("report['started'] = open(f'/proc/{os.getppid()}/stat').read().split()[21]"),
          )
        ).channel,
      ).started;
    const before = await forkServer();
    await freshAfter(
      [
        "import os",
        "os.chdir('/tmp')",
        "for level in range(2100):",
        "    os.mkdir('a'); os.chdir('a')",
        "open('x', 'w').write('at the bottom')",
        "os.chdir('..'); os.chmod('a', 0)",
        "def add(a, b): return a + b",
      ].join("\n"),
    );
    expect(await forkServer()).toBe(before);
  });

  it("grades the next answer after one that kills the fork server", async () => {
    await freshAfter(
      "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef add(a, b):\n    return a + b\n",
    );
  });

  it("grades the next answer after one that stops the fork server", async () => {
    await grade({
      code: "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\ndef add(a, b):\n    return a + b\n",
      testingCode: question,
    });
    expect(await grade(correct)).toEqual(fullMarks);
  });

  it("ignores the catchable signals an answer sends the fork server", async () => {
    await freshAfter(
      [
        "import os, signal",
        "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM):",
        "    os.kill(os.getppid(), s)",
        "    os.kill(-1, s)",
        "def add(a, b):",
        "    return a + b",
      ].join("\n"),
    );
  });

  it("keeps the fork server's memory, descriptors and environment from its children", async () => {
    const seen = JSON.parse(
      (
        await sandbox.execute(
          inspect(
            [
              "parent = os.getppid()",
              "for name in ('mem', 'environ', 'fd/0', 'maps'):",
              "    try:",
              "        open('/proc/%d/%s' % (parent, name), 'rb').read(1)",
              "        report[name] = 'read'",
              "    except OSError as error:",
              "        report[name] = type(error).__name__",
              "import ctypes",
              "report['ptrace'] = ctypes.CDLL(None).ptrace(16, parent, 0, 0)",
            ].join("\n"),
          ),
        )
      ).channel,
    );
    expect(seen).toEqual({
      mem: "PermissionError",
      environ: "PermissionError",
      "fd/0": "PermissionError",
      maps: "PermissionError",
      ptrace: -1,
    });
  });

  it("stops a memory flood as before, and the fork server survives it", async () => {
    const report = await grade({
      code: "hog = []\ndef add(a, b):\n    while True:\n        hog.append(bytearray(16 * 1024 * 1024))\n",
      testingCode: question,
    });
    expect(report.passed).toBe(0);
    expect(report.errors).toContain("Memory limit exceeded");
    await freshAfter("def add(a, b):\n    return a - b\n");
  });

  it("gives the same limit messages: time, output, file size", async () => {
    const time = await grade({
      code: "def add(a, b):\n    while True:\n        pass\n",
      testingCode: question,
    });
    expect(time.errors).toBe("Time limit exceeded (3 s)");
    const output = await grade({
      code: "def add(a, b):\n    while True:\n        print('x' * 1000)\n",
      testingCode: question,
    });
    expect(output.errors).toBe("Output limit exceeded");
    const file = await grade({
      code: "def add(a, b):\n    open('/tmp/big', 'wb').write(b'x' * 2 * 1024 * 1024)\n    return a + b\n",
      testingCode: question,
    });
    expect(file.passed).toBe(0);
    expect(file.errors).toMatch(/File too large|No space left/);
    expect(await grade(correct)).toEqual(fullMarks);
  });

  it("grades many answers of many students in flight on one slot, each on its own", async () => {
    const answers = Array.from({ length: 12 }, (_, index) =>
      index % 3 === 0
        ? { code: `def add(a, b):\n    return a + b + ${index + 1}\n`, testingCode: question }
        : correct,
    );
    const reports = await Promise.all(answers.map((answer) => grade(answer)));
    expect(reports.map((report) => report.passed)).toEqual(
      answers.map((_, index) => (index % 3 === 0 ? 0 : 2)),
    );
  });

  it("removes the socket folders of API processes that are gone, and only theirs", async () => {
    const gonePid = spawnSync("true").pid;
    const left = mkdtempSync(join(tmpdir(), `testit-slot-${gonePid}-0-`));
    writeFileSync(join(left, "socket"), "");
    const another = mkdtempSync(join(tmpdir(), `testit-slot-${process.ppid}-0-`));
    const slot = new BwrapSandbox(defaultLimits(3000, 128), 22);
    const slotGrader = new Grader(slot);
    try {
      expect(inEnglish(await slotGrader.grade(correct))).toEqual(fullMarks);
      expect(existsSync(left)).toBe(false);
      expect(existsSync(another)).toBe(true);
    } finally {
      await slotGrader.close();
      slot.close();
      rmSync(another, { recursive: true, force: true });
    }
  });
});
