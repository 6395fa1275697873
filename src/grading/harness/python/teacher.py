"""The teacher-only run: plans the grading of a question and computes its expected values.

It never meets student code: it gets only `testing_code` (JSON {"testing_code": ...} on stdin, or
`channel_input` under pyodide). It parses the tests, finds the student's names (names the tests
use but never bind, other than built-ins) and follows them: a top-level statement that uses a
student name or a tainted name is tainted, and so is every name it binds or hands on. Each
top-level assert is a case; its test is split through not/and/or, comparisons, + - * / and
abs/len/type/isinstance/math.isclose down to operands. An operand that touches no tainted name
is evaluated here (an expected value); the others are probes, whose values the student's run
reports. Untainted statements run here. The plan also lists what the student's run executes:
the tainted statements, the untainted statements they need (their inputs) and the probes, and
never a statement that only feeds an expected value.

Output on file descriptor 3 (or `channel_write`): ["start"], then one line {"plan": ...}.
"""

import ast
import builtins
import importlib
import json
import symtable
import sys

BUILTIN_NAMES = frozenset(dir(builtins)) | {"__name__", "__builtins__"}
# Built-ins that return a new object and never change their arguments: handing a name to them
# neither taints it nor makes it an alias of the result.
FRESH_RESULT_CALLS = frozenset({
    "abs", "all", "any", "bin", "bool", "chr", "dict", "divmod", "float", "format", "frozenset",
    "hash", "hex", "int", "isinstance", "len", "list", "max", "min", "oct", "ord", "pow", "range",
    "repr", "round", "set", "sorted", "str", "sum", "tuple", "type",
})
JUDGED_CALLS = {"abs": 1, "len": 1, "type": 1, "isinstance": 2}
JUDGED_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
JUDGED_UNARY = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+"}
COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
               ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
ISCLOSE_KEYWORDS = ("rel_tol", "abs_tol")


def scope_names(node, mode):
    """Module-level names that node mentions (nested scopes' locals excluded), and those it binds."""
    try:
        table = symtable.symtable(ast.unparse(node), TESTS_FILE, mode)
    except SyntaxError:
        names = {item.id for item in ast.walk(node) if isinstance(item, ast.Name)}
        return names, {item.id for item in ast.walk(node)
                       if isinstance(item, ast.Name) and not isinstance(item.ctx, ast.Load)}
    mentions, binds = set(), set()
    for symbol in table.get_symbols():
        mentions.add(symbol.get_name())
        if symbol.is_assigned() or symbol.is_imported():
            binds.add(symbol.get_name())
    stack = list(table.get_children())
    while stack:
        child = stack.pop()
        stack.extend(child.get_children())
        for symbol in child.get_symbols():
            if symbol.is_global():
                mentions.add(symbol.get_name())
                if symbol.is_declared_global() and symbol.is_assigned():
                    binds.add(symbol.get_name())
    return mentions, binds


def star_imported(statement):
    """The names `from module import *` binds (the run imports the module anyway)."""
    if not (isinstance(statement, ast.ImportFrom) and statement.module and not statement.level
            and any(alias.name == "*" for alias in statement.names)):
        return set()
    try:
        module = importlib.import_module(statement.module)
    except Exception:  # noqa: BLE001 - the import fails again when the statement runs
        return set()
    names = getattr(module, "__all__", None)
    return {name for name in (names if names is not None else dir(module)) if not name.startswith("_")}


def plain_targets(statement):
    """Names a statement rebinds for sure (so earlier values of them are dead), if any."""
    if isinstance(statement, ast.Assign):
        names = set()
        for target in statement.targets:
            for item in ast.walk(target):
                if isinstance(item, (ast.Attribute, ast.Subscript, ast.Starred)):
                    return None
                if isinstance(item, ast.Name):
                    names.add(item.id)
        return names
    if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
        return set()  # binds its target, but reads it first
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return {statement.target.id} if statement.value else set()
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    return None


class Planner:
    def __init__(self, source, statements):
        self.source = source
        self.statements = statements
        self.scopes = [scope_names(statement, "exec") for statement in statements]
        for (_, binds), statement in zip(self.scopes, statements):
            binds |= star_imported(statement)
        self.teacher_names = set().union(*(binds for _, binds in self.scopes)) - {"__builtins__"}
        self.modules, self.isclose_names = self._imports()
        self.tainted = set()
        self.groups = {}
        self.probes = []
        self.expected = []
        self.cases = []
        self.actions = []

    def _imports(self):
        """Names bound only by `import x` (modules), and names of math.isclose itself."""
        modules, isclose, other = {}, set(), set()
        for statement in self.statements:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    modules[(alias.asname or alias.name).split(".")[0]] = alias.name
            elif isinstance(statement, ast.ImportFrom) and statement.module == "math" and not statement.level:
                isclose.update(alias.asname or alias.name for alias in statement.names if alias.name == "isclose")
        for statement, (_, binds) in zip(self.statements, self.scopes):
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                other |= binds
        return ({name: module for name, module in modules.items() if name not in other},
                isclose - other - set(modules))

    def is_student(self, name):
        return name not in self.teacher_names and name not in BUILTIN_NAMES

    def touches_student(self, names):
        return any(self.is_student(name) or name in self.tainted for name in names)

    # Aliases: names that may hold the same object, so a change through one is seen through all.
    def _root(self, name):
        while self.groups.get(name, name) != name:
            name = self.groups[name]
        return name

    def link(self, names):
        roots = [self._root(name) for name in names]
        for root in roots[1:]:
            if root != roots[0]:
                self.groups[root] = roots[0]

    def taint(self, names):
        roots = {self._root(name) for name in names & self.teacher_names}
        self.tainted |= {name for name in self.teacher_names | set(self.groups) if self._root(name) in roots}

    def handed_on(self, node, mentions, into_calls=True):
        """Names whose objects the node may change or keep: not a module's attribute, not an
        operand of an operator, not an argument of a built-in that only reads it. Without
        into_calls, no call's arguments either (what the tests' own functions return is taken
        to be new, so `expected = reference(data)` stays apart from `data`)."""
        found = set()
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, ast.Name):
                found.add(item.id)
                continue
            if isinstance(item, (ast.BinOp, ast.UnaryOp, ast.Compare)):
                continue
            if isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name) and item.value.id in self.modules:
                continue
            if isinstance(item, ast.Call) and not into_calls:
                continue
            if (isinstance(item, ast.Call) and isinstance(item.func, ast.Name)
                    and item.func.id in FRESH_RESULT_CALLS and item.func.id not in self.teacher_names):
                continue
            stack.extend(ast.iter_child_nodes(item))
        return found & mentions & self.teacher_names

    def plan(self):
        bound_before = set()
        for index, statement in enumerate(self.statements):
            mentions, binds = self.scopes[index]
            if isinstance(statement, ast.Assert):
                self.actions.append(("case", self.plan_case(index, statement)))
                continue
            uses_student = self.touches_student(mentions) or self._reads_before_binding(statement, bound_before)
            bound_before |= binds
            if uses_student:
                self.taint(self.handed_on(statement, mentions) | binds)
                self.actions.append(("student", None))
            else:
                self.link(self.handed_on(statement, mentions, into_calls=False))
                self.actions.append(("teacher", None))

    @staticmethod
    def _reads_before_binding(statement, bound_before):
        """`f = memoize(f)`: the value reads a name no earlier statement bound (the student's)."""
        value = getattr(statement, "value", None)
        if not isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)) or value is None:
            return False
        names, _ = scope_names(value, "eval")
        return any(name not in bound_before and name not in BUILTIN_NAMES for name in names)

    def plan_case(self, index, statement):
        case = {"statement": index, "line": statement.lineno, "source": ast.unparse(statement),
                "expected": []}
        mentions, _ = self.scopes[index]
        if self.touches_student(mentions):
            case["test"] = self.split(statement.test, case)
        else:
            case["test"] = ["e", self.add_expected(statement.test, case, truth=True)]
        case["message"] = None if statement.msg is None else self.plan_message(statement.msg, case)
        self.cases.append(case)
        return case

    def plan_message(self, message, case):
        """An assert's message as parts: text computed here, and the values of the answer's
        expressions in an f-string, reported by the student's run. The message's own text never
        goes there (`f"should be 9, got {sq(3)}"` would tell it 9). Any other message that uses
        the answer's names is not shown."""
        names, _ = scope_names(message, "eval")
        if not self.touches_student(names):
            return [{"expected": self.add_expected(message, case, text=True)}]
        if not isinstance(message, ast.JoinedStr):
            return None
        parts = []
        for value in message.values:
            if isinstance(value, ast.Constant):
                parts.append({"text": str(value.value)})
                continue
            single = ast.copy_location(ast.JoinedStr(values=[value]), value)
            names, _ = scope_names(single, "eval")
            if self.touches_student(names):
                parts.append({"probe": self.add_probe(single, case, "m")})
            else:
                parts.append({"expected": self.add_expected(single, case, text=True)})
        return parts

    def split(self, node, case):
        names, _ = scope_names(node, "eval")
        if not self.touches_student(names):
            return ["e", self.add_expected(node, case)]
        if isinstance(node, ast.BoolOp):
            return ["and" if isinstance(node.op, ast.And) else "or", [self.split(value, case) for value in node.values]]
        if isinstance(node, ast.UnaryOp) and type(node.op) in JUDGED_UNARY:
            return ["u", JUDGED_UNARY[type(node.op)], self.split(node.operand, case)]
        if isinstance(node, ast.Compare):
            left = self.split(node.left, case)
            return ["c", left, [[COMPARISONS[type(op)], self.split(right, case)]
                                for op, right in zip(node.ops, node.comparators)]]
        if isinstance(node, ast.BinOp) and type(node.op) in JUDGED_BINARY:
            left = self.split(node.left, case)
            return ["b", JUDGED_BINARY[type(node.op)], left, self.split(node.right, case)]
        judged = self.judged_call(node)
        if judged is not None:
            arguments = [self.split(argument, case) for argument in node.args]
            keywords = {keyword.arg: self.split(keyword.value, case) for keyword in node.keywords}
            return ["f", judged, arguments, keywords]
        return ["p", self.add_probe(node, case, "p")]

    def judged_call(self, node):
        """The name of a call the runner computes itself (on plain values), or None."""
        if not isinstance(node, ast.Call) or any(isinstance(argument, ast.Starred) for argument in node.args):
            return None
        function = node.func
        if isinstance(function, ast.Name) and function.id in JUDGED_CALLS and function.id not in self.teacher_names:
            return function.id if not node.keywords and len(node.args) == JUDGED_CALLS[function.id] else None
        is_isclose = (isinstance(function, ast.Name) and function.id in self.isclose_names) or (
            isinstance(function, ast.Attribute) and function.attr == "isclose"
            and isinstance(function.value, ast.Name) and self.modules.get(function.value.id) == "math")
        if is_isclose and len(node.args) == 2 and all(keyword.arg in ISCLOSE_KEYWORDS for keyword in node.keywords):
            return "isclose"
        return None

    def add_probe(self, node, case, kind):
        names, _ = scope_names(node, "eval")
        ident = len(self.probes)
        self.probes.append({"kind": kind, "statement": case["statement"], "line": node.lineno,
                            "source": ast.unparse(node), "needs": names & self.teacher_names})
        self.taint(self.handed_on(node, names))
        return ident

    def add_expected(self, node, case, truth=False, text=False):
        ident = len(self.expected)
        names, _ = scope_names(node, "eval")
        self.expected.append({"code": compile(ast.Expression(body=node), TESTS_FILE, "eval"),
                              "truth": truth, "text": text, "statement": case["statement"],
                              "needs": names & self.teacher_names})
        case["expected"].append(ident)
        return ident

    def student_steps(self):
        """What the student's run executes: backwards from the probes and tainted statements,
        the statements that bind or change a name they need; and the set-up statements that
        use no data of the tests (imports, `random.seed(1)`, `N = 10`), which the answer may rely
        on as it could when the tests shared its namespace. A statement that feeds only expected
        values (`expected = sorted(data)`) stays out."""
        expected_only = self.live_before(self.expected)
        live = set()
        steps = []
        for index in range(len(self.statements) - 1, -1, -1):
            statement = self.statements[index]
            kind, _ = self.actions[index]
            mentions, binds = self.scopes[index]
            if kind == "case":
                for ident in reversed(range(len(self.probes))):
                    probe = self.probes[ident]
                    if probe["statement"] == index:
                        steps.append([probe["kind"], ident, probe["line"], probe["source"], index])
                        live |= probe["needs"]
                continue
            targets = plain_targets(statement)
            needed = kind == "student" or self.changes(statement, mentions, binds, targets, live)
            if needed or self.is_setup(statement, mentions, binds, expected_only[index]):
                source = ast.get_source_segment(self.source, statement) or ast.unparse(statement)
                steps.append(["x", index, statement.lineno, source, index])
                live -= targets or set()
                live |= self.loads(statement, mentions, targets)
        steps.reverse()
        return steps

    def changes(self, statement, mentions, binds, targets, live):
        """Whether a statement binds a live name, or may change one's object."""
        return bool(binds & live) or (targets is None and bool(mentions & live & self.teacher_names))

    def is_setup(self, statement, mentions, binds, expected_live):
        """Imports, and statements that read no name of the tests but modules and bind none that
        an expected value needs."""
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            return True
        data = (mentions - binds - set(self.modules)) & self.teacher_names
        return not data and not (binds & expected_live)

    def live_before(self, operands):
        """For each statement, the names that later expected operands need (backwards slice)."""
        live = set()
        result = [set() for _ in self.statements]
        for index in range(len(self.statements) - 1, -1, -1):
            result[index] = set(live)
            statement = self.statements[index]
            kind, _ = self.actions[index]
            mentions, binds = self.scopes[index]
            if kind == "case":
                for operand in operands:
                    if operand["statement"] == index:
                        live |= operand["needs"]
            elif kind == "teacher":
                targets = plain_targets(statement)
                if self.changes(statement, mentions, binds, targets, live):
                    live -= targets or set()
                    live |= self.loads(statement, mentions, targets)
        return result

    def loads(self, statement, mentions, targets):
        """The names a statement needs bound before it: all it mentions but what it only assigns."""
        read = {item.id for item in ast.walk(statement) if isinstance(item, ast.Name) and isinstance(item.ctx, ast.Load)}
        return (mentions - ((targets or set()) - read)) & self.teacher_names


def execute(planner):
    """Runs the untainted statements in order and evaluates each case's expected operands."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    values = ["null"] * len(planner.expected)
    for index, statement in enumerate(planner.statements):
        kind, case = planner.actions[index]
        if kind == "student":
            continue
        if kind == "teacher":
            try:
                exec(compile(ast.Module(body=[statement], type_ignores=[]), TESTS_FILE, "exec"), namespace)
            except BaseException as error:  # noqa: BLE001 - an exception outside an assert stops the tests
                return values, {"statement": index, "line": statement.lineno, "error": exception_text(error)}
            continue
        for ident in case["expected"]:
            values[ident] = evaluate(planner.expected[ident], namespace)
    return values, None


def evaluate(expected, namespace):
    code = expected["code"]
    if expected["text"]:
        try:
            return json_string(str(eval(code, namespace))[:4096])
        except BaseException as error:  # noqa: BLE001
            return json_string(exception_text(error))
    if expected["truth"]:
        return encode_outcome(lambda: bool(eval(code, namespace)))
    return encode_outcome(lambda: eval(code, namespace))


def plan_tests(source):
    try:
        tree = ast.parse(source, TESTS_FILE)
        compile(tree, TESTS_FILE, "exec")
    except (SyntaxError, ValueError) as error:
        return '{"invalid":' + json_string("The testing code is invalid: " + exception_only(error)) + "}"
    planner = Planner(source, tree.body)
    planner.plan()
    steps = planner.student_steps()
    values, stop = execute(planner)
    if stop is not None:
        steps = [step for step in steps if step[4] < stop["statement"]]
    cases = [{key: case[key] for key in ("statement", "line", "source", "test", "message")} for case in planner.cases]
    return ('{"cases":' + json.dumps(cases) + ',"probes":' + json.dumps([probe["source"] for probe in planner.probes])
            + ',"steps":' + json.dumps([step[:4] for step in steps]) + ',"expected":[' + ",".join(values)
            + '],"stop":' + json.dumps(stop) + "}")


def run():
    provided = globals().get("channel_input")
    if provided is not None:
        write = channel_write  # noqa: F821 - set by the pyodide child
        data = provided.encode("utf-8")
    else:
        channel = open(3, "wb", buffering=0)  # noqa: SIM115 - kept open for the whole run
        write = lambda line: channel.write(line.encode("utf-8", "replace") + b"\n")  # noqa: E731
        data = sys.stdin.buffer.read()
    write('["start"]')
    try:
        plan = plan_tests(json.loads(data)["testing_code"])
    except RecursionError:
        plan = '{"invalid":"The testing code is nested too deeply to plan."}'
    write('{"plan":' + plan + "}")


if __name__ == "__main__":
    import os

    try:
        run()
    finally:
        if globals().get("channel_input") is None:
            os._exit(0)
