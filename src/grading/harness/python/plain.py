"""Shared by both runs (prepended to teacher.py and student.py): plain values as tagged JSON,
and exceptions as text without harness frames. No imports, so the student's run starts fast.

A value is "plain" when its type is exactly one of None, bool, int, float, str, list, tuple,
dict, set, frozenset (or one of those types itself). Exact types only: a subclass could compare
equal to anything, and a faked __class__ fools isinstance but not type().
"""

_type = type
_repr = repr
_format = format
_len = len
_str = str
_id = id
_isinstance = isinstance
_BaseException = BaseException
_MemoryError = MemoryError
_SystemExit = SystemExit
_SyntaxError = SyntaxError
_UnicodeError = UnicodeError

PLAIN_TYPES = {None.__class__: "NoneType", bool: "bool", int: "int", float: "float", str: "str",
               list: "list", tuple: "tuple", dict: "dict", set: "set", frozenset: "frozenset"}
MAX_DEPTH = 100
MAX_ITEMS = 100_000
STUDENT_FILE = "<answer>"
TESTS_FILE = "<tests>"
_ESCAPES = {**{code: "\\u%04x" % code for code in range(32)}, 34: '\\"', 92: "\\\\"}


class NotPlain(Exception):
    """The value can't be compared outside: its type's name says why."""


def json_string(text):
    return '"' + text.translate(_ESCAPES) + '"'


def encode_value(value):
    """The value as tagged JSON: ["i", hex] and ["f", repr] keep 1, 1.0, True and "1" apart."""
    budget = [MAX_ITEMS]
    return _encode(value, 0, budget)


def _encode(value, depth, budget):
    kind = _type(value)
    budget[0] -= 1
    if depth > MAX_DEPTH or budget[0] < 0:
        raise NotPlain("a value nested too deeply or too large")
    if value is None:
        return '["n"]'
    if kind is bool:
        return '["b",true]' if value else '["b",false]'
    if kind is int:
        return '["i","' + _format(value, "x") + '"]'
    if kind is float:
        return '["f","' + _repr(value) + '"]'
    if kind is str:
        if not value.isascii():
            try:
                value.encode("utf-8")
            except _UnicodeError:
                raise NotPlain("a str with surrogate characters") from None
        return '["s",' + json_string(value) + "]"
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        tag = {list: "l", tuple: "t", set: "S", frozenset: "F"}[kind]
        return '["' + tag + '",[' + ",".join([_encode(item, depth + 1, budget) for item in value]) + "]]"
    if kind is dict:
        parts = []
        for key, item in value.items():
            parts.append(_encode(key, depth + 1, budget))
            parts.append(_encode(item, depth + 1, budget))
        return '["d",[' + ",".join(parts) + "]]"
    if kind is type and value in PLAIN_TYPES:
        return '["T","' + PLAIN_TYPES[value] + '"]'
    raise NotPlain(_qualified_name(kind))


def encode_outcome(thunk):
    """Runs thunk(): its value encoded, ["x", why] when not plain, or ["E", text] when it raised."""
    try:
        value = thunk()
    except _BaseException as error:  # noqa: BLE001 - whatever the code raises is its outcome
        return '["E",' + json_string(exception_text(error)) + "]"
    try:
        return encode_value(value)
    except NotPlain as error:
        return '["x",' + json_string(_safe_str(error)) + "]"
    except _BaseException as error:  # noqa: BLE001 - a value whose items raise is no plain value
        return '["x",' + json_string(_qualified_name(_type(error))) + "]"


def _qualified_name(kind):
    try:
        name = kind.__qualname__
        module = kind.__module__
        return name if module in ("builtins", "__main__") else module + "." + name
    except _BaseException:  # noqa: BLE001
        return "object"


def _safe_str(value):
    try:
        return _str(value)
    except _BaseException:  # noqa: BLE001
        return "<str() failed>"


# What the grader writes is stored as a code (STX, key, ETX) and rendered in the reader's language.
GRADER_MEMORY_LIMIT = "\x02grading_memory_limit\x03"
GRADER_EXITED_EARLY = "\x02grading_exited_early\x03"


def exception_text(error):
    """A traceback of the answer's and the tests' frames only, as Python prints it."""
    if _isinstance(error, _MemoryError):
        return GRADER_MEMORY_LIMIT
    if _isinstance(error, _SystemExit):
        return GRADER_EXITED_EARLY
    lines = []
    trace = error.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_filename in (STUDENT_FILE, TESTS_FILE):
            lines.append('  File "%s", line %d, in %s\n' % (code.co_filename, trace.tb_lineno, code.co_name))
        trace = trace.tb_next
    head = ["Traceback (most recent call last):\n"] if lines else []
    return "".join(head + lines) + exception_only(error)


def open_channel():
    """(read, write_line): the program's input and its result channel. Under pyodide, functions
    the child process provides; else file descriptors 0 and 3, with 0 moved to a descriptor of its
    own and /dev/null put in its place (so that the answer's input() sees no input)."""
    provided = globals().get("channel_read")
    if provided is not None:
        return (lambda size: provided(size).to_bytes()), channel_write  # noqa: F821 - the child's
    import posix

    source = posix.dup(0)
    null = posix.open("/dev/null", posix.O_RDONLY)
    posix.dup2(null, 0)
    posix.close(null)
    channel = open(3, "wb", buffering=0)  # noqa: SIM115 - kept open for the whole run
    write = channel.write
    return (lambda size: posix.read(source, size)), (lambda line: write(line.encode("utf-8", "replace") + b"\n"))


def run_program(main):
    """Runs main; outside pyodide, the process then ends at once, whatever the answer left behind."""
    try:
        main()
    except BaseException:
        import traceback

        traceback.print_exc()  # on stderr, of which the runner keeps the end
        raise
    finally:
        if globals().get("channel_read") is None:
            import posix

            posix._exit(0)


def exception_only(error):
    name = _qualified_name(_type(error))
    if _isinstance(error, _SyntaxError):
        where = '  File "%s", line %s\n' % (error.filename, error.lineno)
        text = (error.text or "").strip()
        return where + ("    " + text + "\n" if text else "") + name + ": " + _safe_str(error.msg)
    message = _safe_str(error)
    return name + ": " + message if message else name
