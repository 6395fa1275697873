"""The student's run: the answer, then the steps the runner planned, reporting values.

It holds no expected value, no secret and no verdict: only the student's code, the tests' data the
steps need (as values), and the operands that depend on the answer ("probes"). It reports each
probe's value as plain data; the runner compares them with the expected values outside this
process. Anything here can be changed by the answer, and it would gain nothing.

Input (read as it comes: the runner holds some steps back until earlier probes are reported):
netstrings "<bytes>:<text>," — the answer, then four per step: kind, id, line in the tests,
source. Kinds: "x" run a statement; "v" bind names to values (a dict display); "p" report an
operand's value, "p:len" / "p:abs" / "p:type" its len(), abs() or type(); "M" the messages
start; "m" report a message's text. After a statement raised, steps are skipped up to "M".
Output: one JSON array per line on the result channel, ending with ["done"]. The first line,
["start"], starts the clock of the time limit.
"""

import builtins

_exec = exec
_eval = eval
_compile = compile
_abs = abs
_int = int
_dict = dict
_bytearray = bytearray
_bytes = bytes
VALUE_NAMES = {"__builtins__": {}, "inf": float("inf"), "nan": float("nan"), "set": set,
               "frozenset": frozenset, "T": {name: kind for kind, name in PLAIN_TYPES.items()}}
SIZED = (str, list, tuple, dict, set, frozenset)


class Fields:
    """Netstrings from `read`, each read when it is needed."""

    def __init__(self, read):
        self.read = read
        self.buffer = _bytearray()
        self.position = 0

    def _more(self):
        chunk = self.read(65536)
        if not chunk:
            return False
        del self.buffer[:self.position]
        self.position = 0
        self.buffer += chunk
        return True

    def next(self):
        """The next field, or None at the end of the input."""
        while self.buffer.find(b":", self.position) < 0:
            if not self._more():
                return None
        colon = self.buffer.find(b":", self.position)
        size = _int(self.buffer[self.position:colon])
        while _len(self.buffer) < colon + 2 + size:
            start = self.position
            if not self._more():
                return None
            colon -= start
        text = _bytes(self.buffer[colon + 1:colon + 1 + size]).decode("utf-8")
        self.position = colon + 2 + size
        return text


def probe(kind, value):
    """The value a probe reports: the operand's, or its len(), abs() or type(), all of plain
    values only (a value of another type would compute them with its own code)."""
    if kind == "p":
        return value
    kind_of = _type(value)
    if kind_of not in PLAIN_TYPES or (kind == "p:type" and kind_of is type):
        raise NotPlain(_qualified_name(kind_of))
    if kind == "p:len":
        return _len(value)
    if kind == "p:abs":
        return _abs(value)
    return kind_of


def report(kind, code, namespace):
    try:
        value = _eval(code, namespace)
        return encode_value(probe(kind, value))
    except NotPlain as error:
        return '["x",' + json_string(_safe_str(error)) + "]"
    except _BaseException as error:  # noqa: BLE001 - whatever the code raises is its outcome
        return '["E",' + json_string(exception_text(error)) + "]"


def main():
    read, write_line = open_channel()
    write_line('["start"]')
    fields = Fields(read)
    code = fields.next() or ""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        _exec(_compile(code, STUDENT_FILE, "exec"), namespace)
    except _BaseException as error:  # noqa: BLE001 - the answer's failure, reported as such
        write_line('["a",' + json_string(exception_text(error)) + "]")
        write_line('["done"]')
        return
    skipping = False
    while True:
        kind, ident, line, source = fields.next(), fields.next(), fields.next(), fields.next()
        if source is None:
            break
        if kind == "M":
            skipping = False
        if skipping or kind == "M":
            continue
        padded = "\n" * (_int(line) - 1) + source
        if kind == "x" or kind == "v":
            try:
                if kind == "x":
                    _exec(_compile(padded, TESTS_FILE, "exec"), namespace)
                else:
                    namespace.update(_eval(_compile(source, "<values>", "eval"), _dict(VALUE_NAMES)))
            except _BaseException as error:  # noqa: BLE001
                write_line('["x",' + ident + "," + json_string(exception_text(error)) + "]")
                skipping = True
        elif kind == "m":
            try:
                text = _safe_str(_eval(_compile(padded, TESTS_FILE, "eval"), namespace))[:4096]
            except _BaseException as error:  # noqa: BLE001
                text = exception_text(error)
            write_line('["m",' + ident + "," + json_string(text) + "]")
        else:
            write_line('["p",' + ident + "," + report(kind, _compile(padded, TESTS_FILE, "eval"), namespace) + "]")
    write_line('["done"]')


if __name__ == "__main__":
    run_program(main)
