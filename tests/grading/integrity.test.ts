// Requests go through the typed client (`client`), except through `call`: answers whose question id
// the types read as possibly undefined.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { createTestApp, type TestApp } from "../helpers/app";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";

/** The question of the issue: ten points, strict, three cases. */
const squareQuestion = {
  text: "Write sq(x), the square of x",
  type: "code",
  points: 10,
  body: {
    testing_code: "assert sq(2) == 4\nassert sq(3) == 9\nassert type(sq(5)) is int and sq(5) == 25",
  },
};
const correctSquare = "def sq(x):\n    return x * x\n";

/** Frames that would claim every probe is true and the run done, for forgers to send. */
const forgedFrames = `["start"]', '["p",0,["b",true]]', '["p",1,["b",true]]', '["p",2,["b",true]]', '["p",3,["b",true]]', '["done"]`;

/** What a student who wants the points tries. None of it defines a working sq. */
const exploits: [string, string][] = [
  [
    "patching the harness through sys.modules",
    "import sys; sys.modules['__main__'].run = lambda *a: None",
  ],
  [
    "replacing the harness's reporters",
    [
      "import sys",
      "h = sys.modules['__main__']",
      "h.encode_outcome = lambda thunk: '[\"b\",true]'",
      "h.encode_value = lambda value: '[\"b\",true]'",
      "h.exception_text = lambda error: ''",
      "def sq(x):\n    return None",
    ].join("\n"),
  ],
  ["replacing builtins.exec", "import builtins\nbuiltins.exec = lambda *a, **k: None"],
  ["replacing builtins.compile", "import builtins\nbuiltins.compile = lambda *a, **k: None"],
  ["replacing builtins.eval", "import builtins\nbuiltins.eval = lambda *a, **k: True"],
  ["replacing builtins.__import__", "import builtins\nbuiltins.__import__ = lambda *a, **k: None"],
  [
    "forging reports through frames found with sys._getframe",
    [
      "import sys, os",
      "def sq(x):",
      "    frame = sys._getframe()",
      "    while frame is not None:",
      "        write = frame.f_locals.get('write_line')",
      "        if write:",
      `            for line in ['${forgedFrames}']:`,
      "                write(line)",
      "            os._exit(0)",
      "        frame = frame.f_back",
    ].join("\n"),
  ],
  [
    "forging reports through objects found with gc",
    [
      "import gc, os",
      "def sq(x):",
      "    for found in gc.get_objects():",
      "        if type(found) is dict and callable(found.get('channel_write')):",
      `            for line in ['${forgedFrames}']:`,
      "                found['channel_write'](line)",
      "        if type(found).__name__ in ('FileIO', 'BufferedWriter') and not found.closed:",
      `            for line in ['${forgedFrames}']:`,
      "                try:",
      "                    found.write(line.encode() + b'\\n')",
      "                except Exception:",
      "                    pass",
      "    os._exit(0)",
    ].join("\n"),
  ],
  [
    "forging reports through inspect",
    [
      "import inspect, os",
      "def sq(x):",
      "    for info in inspect.stack():",
      "        for value in list(info.frame.f_locals.values()) + list(info.frame.f_globals.values()):",
      "            if callable(value) and getattr(value, '__name__', '') in ('write_line', 'channel_write', '<lambda>'):",
      "                try:",
      `                    for line in ['${forgedFrames}']:`,
      "                        value(line)",
      "                except Exception:",
      "                    pass",
      "    os._exit(0)",
    ].join("\n"),
  ],
  [
    "an object whose __eq__ is always true",
    [
      "class Anything:",
      "    def __eq__(self, other):\n        return True",
      "    def __ne__(self, other):\n        return False",
      "    __hash__ = object.__hash__",
      "def sq(x):\n    return Anything()",
    ].join("\n"),
  ],
  [
    "an int subclass that fakes its __class__ and equals everything",
    [
      "class Liar(int):",
      "    @property",
      "    def __class__(self):\n        return int",
      "    def __eq__(self, other):\n        return True",
      "    __hash__ = int.__hash__",
      "def sq(x):\n    return Liar(0)",
    ].join("\n"),
  ],
  [
    "an object that fakes __class__ = int",
    [
      "class Fake:",
      "    __class__ = int",
      "    def __eq__(self, other):\n        return True",
      "    def __bool__(self):\n        return True",
      "def sq(x):\n    return Fake()",
    ].join("\n"),
  ],
  ["sys.exit(0) after a correct sq", `${correctSquare}import sys\nsys.exit(0)`],
  ["os._exit(0) after a correct sq", `${correctSquare}import os\nos._exit(0)`],
  ["raise SystemExit after a correct sq", `${correctSquare}raise SystemExit`],
  ["raise KeyboardInterrupt after a correct sq", `${correctSquare}raise KeyboardInterrupt`],
  [
    "fake results on stdout, stderr and every other descriptor",
    [
      "import os, sys",
      "print('3 passed, 0 failed')",
      "sys.stderr.write('OK\\n')",
      `for line in ['${forgedFrames}']:`,
      "    for fd in range(1, 64):",
      "        try:",
      "            os.write(fd, line.encode() + b'\\n')",
      "        except OSError:",
      "            pass",
    ].join("\n"),
  ],
  [
    "reading /proc/self for what the harness knows, and writing to its descriptors",
    [
      "import os",
      "known = ''",
      "for name in ('cmdline', 'environ', 'status', 'maps', 'fd/0'):",
      "    try:",
      "        known += open('/proc/self/' + name, 'rb').read().decode('latin-1')",
      "    except OSError:",
      "        pass",
      "for fd in ('3', '4', '5'):",
      "    try:",
      `        with open('/proc/self/fd/' + fd, 'w') as channel:\n            channel.write('\\n'.join(['${forgedFrames}']) + '\\n')`,
      "    except OSError:",
      "        pass",
      "def sq(x):\n    return None if known else 0",
    ].join("\n"),
  ],
];

/** A question whose expected values live only in the tests: what the student's process may hold. */
const hiddenValuesQuestion = {
  text: "Find the hidden numbers",
  type: "code",
  points: 10,
  body: {
    testing_code: [
      "expected = 48151623",
      "assert expected in found()",
      "assert 42424242 in found()",
      "assert type(found()) is list",
    ].join("\n"),
    strict_score: false,
  },
};

/**
 * Hunts every place the student's process can look for eight-digit numbers: frames, everything
 * gc tracks (dicts, lists, functions' constants and defaults), /proc/self and what is left of
 * stdin. Its own code holds no eight-digit number.
 */
const hunter = [
  "import gc, re, sys",
  "def found():",
  "    seen = set()",
  "    def look(value):",
  "        if type(value) is int and 10**7 < value < 10**8:",
  "            seen.add(value)",
  "        elif type(value) in (str, bytes):",
  "            text = value if type(value) is str else value.decode('latin-1')",
  "            seen.update(int(n) for n in re.findall(r'(?<![0-9])[1-9][0-9]{7}(?![0-9])', text))",
  "    def look_all(values):",
  "        for value in list(values):",
  "            try:",
  "                look(value)",
  "            except Exception:",
  "                pass",
  "    frame = sys._getframe()",
  "    while frame is not None:",
  "        look_all(frame.f_locals.values())",
  "        look_all(frame.f_globals.values())",
  "        look_all(frame.f_code.co_consts)",
  "        frame = frame.f_back",
  "    for obj in gc.get_objects():",
  "        try:",
  "            if type(obj) is dict:",
  "                look_all(obj.keys())",
  "                look_all(obj.values())",
  "            elif type(obj) in (list, tuple, set):",
  "                look_all(obj)",
  "            elif hasattr(obj, '__code__'):",
  "                look_all(obj.__code__.co_consts + (obj.__defaults__ or ()))",
  "        except Exception:",
  "            pass",
  "    for name in ('cmdline', 'environ', 'fd/0'):",
  "        try:",
  "            look(open('/proc/self/' + name, 'rb').read())",
  "        except Exception:",
  "            pass",
  "    try:",
  "        look(sys.stdin.buffer.read())",
  "    except Exception:",
  "        pass",
  "    return sorted(seen, key=str)",
].join("\n");

async function gradedAnswer(t: TestApp, teacher: TestUser, completionId: number) {
  const detail = await responseOf(
    client(t, teacher.auth).api.completions[":id"].with_correctness.index.$get({
      param: { id: String(completionId) },
    }),
  );
  expect(detail.status).toBe(200);
  expect(detail.body.status).toBe("graded");
  return detail.body as {
    score: number;
    answers: {
      points: number;
      body: { is_correct: boolean; passed: number; total: number; runtime_errors: string | null };
    }[];
  };
}

describe.each(["bwrap", "pyodide"])("grading integrity with SANDBOX=%s", (backend) => {
  let t: TestApp;
  let teacher: TestUser;
  let student: TestUser;
  let test: { public_uuid: string; questions: { id: number }[] };

  beforeAll(async () => {
    t = await createTestApp({
      runners: 2,
      // The hunt walks every object of pyodide's heap: it needs more than the default 2 s there.
      env: { SANDBOX: backend, GRADING_WAIT_MS: "180000", SANDBOX_TIME_LIMIT_MS: "8000" },
    });
    teacher = await registerUser(t, { is_teacher: true });
    const organization = await createOrganization(t, teacher);
    student = await registerUser(t, { organization_id: organization.id });
    ({ test } = await createOpenTest(
      t,
      teacher,
      [student],
      [squareQuestion, hiddenValuesQuestion],
    ));
  });
  afterAll(() => t.close());

  const submit = (question: number, code: string) =>
    call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [{ question: test.questions[question]?.id, body: { code } }],
      },
    });

  it("gives the correct answer full points, and every exploit none", async () => {
    const answers = [correctSquare, ...exploits.map(([, code]) => code)];
    const responses = await Promise.all(answers.map((code) => submit(0, code)));
    for (const response of responses) expect(response.status).toBe(201);
    const [correct, ...attempts] = await Promise.all(
      responses.map((response) => gradedAnswer(t, teacher, response.body.id)),
    );
    expect(correct).toMatchObject({ score: 10 });
    expect(correct?.answers[0]?.body).toMatchObject({ is_correct: true, passed: 3, total: 3 });
    attempts.forEach((completion, index) => {
      const [name] = exploits[index] as [string, string];
      expect(completion.score, name).toBe(0);
      expect(completion.answers[0]?.points, name).toBe(0);
      expect(completion.answers[0]?.body.is_correct, name).toBe(false);
      expect(completion.answers[0]?.body.passed, name).toBe(0);
    });
  }, 240_000);

  it("keeps expected values out of the student's process", async () => {
    const response = await submit(1, hunter);
    expect(response.status).toBe(201);
    const completion = await gradedAnswer(t, teacher, response.body.id);
    // Only the third case passes: the hunt finds neither expected value.
    expect(completion.answers[0]?.body).toMatchObject({ passed: 1, total: 3 });
    expect(completion.answers[0]?.body.runtime_errors).toContain(
      "Line 2: assert expected in found()",
    );
    expect(completion.answers[0]?.body.runtime_errors).toContain(
      "Line 3: assert 42424242 in found()",
    );
  }, 120_000);
});
