"""Runs one code answer: the student's code, then each top-level statement of the tests.

Under CPython (bubblewrap) it reads {"nonce", "code", "testing_code"} as JSON on stdin and
reports on file descriptor 3; under pyodide the runner calls run_job with a writer instead.
Frames are lines "<nonce> <json>". Output on stdout or stderr is never a result, and a run that
ends without its "done" frame counts as failed, so printing, exiting early or writing to stderr
cannot pass a test.
"""

import ast
import json
import os
import sys
import traceback

_write = os.write
_dumps = json.dumps
_getpid = os.getpid
_exit = os._exit

STUDENT_FILE = "<answer>"
TESTS_FILE = "<tests>"


def main():
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    channel = os.dup(3)
    os.close(3)
    run_job(job, lambda line: _write(channel, line.encode()))


def run_job(job, write_line):
    nonce = job.pop("nonce")
    owner = _getpid()

    def send(frame):
        if _getpid() == owner:
            write_line(nonce + " " + _dumps(frame) + "\n")

    try:
        tests = ast.parse(job["testing_code"], TESTS_FILE)
    except SyntaxError as error:
        send({"plan": 0})
        send({"error": "The testing code is invalid: " + str(error), "where": "tests"})
        send({"done": True})
        return
    statements = tests.body
    cases = [index for index, statement in enumerate(statements) if isinstance(statement, ast.Assert)]
    send({"plan": len(cases)})

    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    failure = run(compile_student(job["code"]), namespace, STUDENT_FILE)
    if failure is not None:
        send({"error": failure, "where": "answer"})
        send({"done": True})
        return

    case_number = 0
    for statement in statements:
        is_case = isinstance(statement, ast.Assert)
        if is_case:
            case_number += 1
        code = compile(ast.Module(body=[statement], type_ignores=[]), TESTS_FILE, "exec")
        failure = run(code, namespace, TESTS_FILE)
        if is_case:
            send({"case": case_number, "ok": failure is None, "line": statement.lineno,
                  "message": None if failure is None else describe_case(statement, failure)})
        elif failure is not None:
            send({"error": failure, "where": "tests", "line": statement.lineno})
            break
    send({"done": True})


def compile_student(source):
    try:
        return compile(source, STUDENT_FILE, "exec")
    except SyntaxError as error:
        return error


def run(code, namespace, filename):
    """Runs code; returns None, or a readable description of what went wrong."""
    if isinstance(code, SyntaxError):
        return "".join(traceback.format_exception_only(type(code), code)).strip()
    try:
        exec(code, namespace)
        return None
    except MemoryError:
        return "Memory limit exceeded"
    except SystemExit:
        return "The program exited early (SystemExit); exiting never passes a test."
    except AssertionError as error:
        # A failing assert of the tests needs no traceback; one raised inside the answer does.
        if not any(frame.filename == STUDENT_FILE for frame in traceback.extract_tb(error.__traceback__)):
            return "".join(traceback.format_exception_only(type(error), error)).strip()
        return student_traceback(error)
    except BaseException as error:  # noqa: BLE001 - anything the answer raises is its failure
        return student_traceback(error)


def student_traceback(error):
    """The traceback without the harness's own frames."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename in (STUDENT_FILE, TESTS_FILE)]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).strip()


def describe_case(statement, failure):
    source = ast.unparse(statement)
    return "Line " + str(statement.lineno) + ": " + source + "\n" + failure


if __name__ == "__main__":
    try:
        main()
    finally:
        sys.stdout.flush()
        _exit(0)
