"""The student's run: the answer, then the steps the runner planned, reporting values.

It holds no expected value, no secret and no verdict: only the student's code, the statements of
the tests that the student's operands need (their inputs), and those operands ("probes"). It
reports each probe's value as plain data; the runner compares them with the expected values
outside this process. Anything here can be changed by the answer, and it would gain nothing.

Input (stdin, or `channel_input` under pyodide): netstrings "<bytes>:<text>," — the answer, then
four per step: kind ("x" run a statement, "p" report an operand's value, "m" report a message's
text), its id, its line in the tests, its source. Output: one JSON array per line on file
descriptor 3 (or `channel_write` under pyodide), ending with ["done"]. The first line, ["start"], starts the clock of the time limit.
"""

import builtins
import sys

_exec = exec
_eval = eval
_compile = compile


def read_fields(data):
    fields = []
    position = 0
    while position < _len(data):
        colon = data.index(b":", position)
        size = int(data[position:colon])
        fields.append(data[colon + 1:colon + 1 + size].decode("utf-8"))
        position = colon + 2 + size
    return fields


def main(data, write_line):
    write_line('["start"]')
    fields = read_fields(data)
    code, steps = fields[0], fields[1:]
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        _exec(_compile(code, STUDENT_FILE, "exec"), namespace)
    except _BaseException as error:  # noqa: BLE001 - the answer's failure, reported as such
        write_line('["a",' + json_string(exception_text(error)) + "]")
        write_line('["done"]')
        return
    for index in range(0, _len(steps) - 3, 4):
        kind, ident, line, source = steps[index:index + 4]
        padded = "\n" * (int(line) - 1) + source
        if kind == "x":
            try:
                _exec(_compile(padded, TESTS_FILE, "exec"), namespace)
            except _BaseException as error:  # noqa: BLE001
                write_line('["x",' + ident + "," + json_string(exception_text(error)) + "]")
                break
        elif kind == "p":
            outcome = encode_outcome(lambda: _eval(_compile(padded, TESTS_FILE, "eval"), namespace))
            write_line('["p",' + ident + "," + outcome + "]")
        elif kind == "m":
            try:
                text = _safe_str(_eval(_compile(padded, TESTS_FILE, "eval"), namespace))[:4096]
            except _BaseException as error:  # noqa: BLE001
                text = exception_text(error)
            write_line('["m",' + ident + "," + json_string(text) + "]")
    write_line('["done"]')


def run():
    provided = globals().get("channel_input")
    if provided is not None:
        main(provided.encode("utf-8"), channel_write)  # noqa: F821 - set by the pyodide child
        return
    data = sys.stdin.buffer.read()
    sys.stdin.close()
    channel = open(3, "wb", buffering=0)  # noqa: SIM115 - kept open for the whole run
    write = channel.write
    main(data, lambda line: write(line.encode("utf-8", "replace") + b"\n"))


if __name__ == "__main__":
    import posix

    try:
        run()
    finally:
        if globals().get("channel_input") is None:
            posix._exit(0)
