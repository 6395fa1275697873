"""The teacher-only run: plans the grading of a question, computes its expected values and what
the student's run receives.

It never meets student code: it gets only `testing_code` (JSON {"testing_code": ...} as input).
It parses the tests and decides, statement by statement in order, whose each name is: a name the
tests haven't bound yet at that point (and that isn't a built-in) is the student's. A statement
that uses a student name, or a tainted one, runs in the student's run and taints every name it
binds or hands on (a student call may change its arguments; a function of the tests that such a
statement calls hands on the names it reads). Each top-level assert is a case; its test is split
through not/and/or, comparisons, + - * / and abs/len/type/isinstance/round/math.isclose down to
operands. An operand that touches no tainted name is evaluated here (an expected value); the
others are probes, whose values the student's run reports.

The other statements run here, and the student's run gets the tests' data as *values*, computed
here at the point where it needs them — never the statements that computed them:
- what its own steps need (hard): the untainted names a probe or a student statement uses, and
  the names the tests' functions they call read, bound right before that step; functions,
  classes, modules and other values that aren't plain data are made there by their own
  statements. A helper of the tests that is one `return` is inlined, and a pure sub-expression of
  a probe (`CASES[0][0]`) is replaced by its value, so that the table it comes from stays here;
- what the answer may use (soft, "provided"): each name the tests bind, as its value right after
  the statement that changed it, and the tests' functions, classes, imports and module set-up.
  The runner sends a soft step only to an answer that names it, and never one that an expected
  value reads directly (`expected`, `CASES[0][1]`): those are *secret* at that version.
A hard binding of a secret value waits (a gate) until the probes of the cases it is secret for
are reported; if such a case comes later, the plan warns that the case is weak. Messages of
asserts that use the answer are evaluated after all the cases.

Output on the result channel: ["start"], then one line {"plan": ...}.
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
# Calls whose result holds (or shows) its argument: an expected value written so reads it directly.
CONTAINING_CALLS = frozenset({
    "abs", "dict", "float", "frozenset", "int", "list", "repr", "reversed", "round", "set",
    "sorted", "str", "tuple",
})
JUDGED_CALLS = {"abs": (1,), "len": (1,), "type": (1,), "isinstance": (2,), "round": (1, 2)}
# Judged calls computed in the student's run when their argument is one probe: len(huge) is small.
STUDENT_SIDE_CALLS = frozenset({"abs", "len", "type"})
JUDGED_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
JUDGED_UNARY = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+"}
COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
               ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
ISCLOSE_KEYWORDS = ("rel_tol", "abs_tol")
COMPREHENSIONS = frozenset({"listcomp", "setcomp", "dictcomp", "genexpr"})
NESTED_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr)
PURE_NODES = (ast.Subscript, ast.Attribute, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare,
              ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Slice, ast.IfExp, ast.Name, ast.Constant,
              ast.Call, ast.Load, ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)
MAX_INLINING = 4
MAX_HOLE_SOURCE = 4096
MAX_VALUE_ITEMS = 200_000


NESTED_ASSERTS = ("Line %d: its asserts run in the answer's run, which reports whether they raised, "
                  "so a wrong answer that makes them not raise passes the cases after them; "
                  "keep checks as top-level asserts.")

class Scope:
    """A top-level statement's module-level names: read now, read later (in the bodies of the
    functions it defines), and bound."""

    def __init__(self, now, later, binds):
        self.now, self.later, self.binds = now, later, binds

    @property
    def reads(self):
        return self.now | self.later


def comprehension_targets(node):
    """Names bound only as comprehension variables (Python 3.12+ reports them in the module)."""
    inner, outer = set(), set()
    for item in ast.walk(node):
        if isinstance(item, ast.comprehension):
            inner |= {name.id for name in ast.walk(item.target) if isinstance(name, ast.Name)}
        elif isinstance(item, ast.NamedExpr) and isinstance(item.target, ast.Name):
            outer.add(item.target.id)
    return inner - outer


def scope_of(node, mode):
    """The Scope of a statement (mode "exec") or an expression ("eval")."""
    try:
        table = symtable.symtable(ast.unparse(node), TESTS_FILE, mode)
    except SyntaxError:
        names = {item.id for item in ast.walk(node) if isinstance(item, ast.Name)}
        stored = {item.id for item in ast.walk(node)
                  if isinstance(item, ast.Name) and not isinstance(item.ctx, ast.Load)}
        return Scope(names, set(), stored)
    now, later, binds = set(), set(), set()
    for symbol in table.get_symbols():
        if symbol.is_referenced():
            now.add(symbol.get_name())
        if symbol.is_assigned() or symbol.is_imported():
            binds.add(symbol.get_name())
    stack = [(child, child.get_name() in COMPREHENSIONS or str(child.get_type()) == "class")
             for child in table.get_children()]
    while stack:
        child, immediate = stack.pop()
        for symbol in child.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                (now if immediate else later).add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                binds.add(symbol.get_name())
        stack.extend((grandchild, immediate and (grandchild.get_name() in COMPREHENSIONS
                                                 or str(grandchild.get_type()) == "class"))
                     for grandchild in child.get_children())
    local = comprehension_targets(node)
    if isinstance(node, ast.Delete):
        now |= deleted_names(node)  # `del x` needs x bound
    return Scope(now - local, later - local, binds - local)


def deleted_names(statement):
    return {target.id for target in statement.targets if isinstance(target, ast.Name)}


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


def reads_before_binding(statement):
    """`f = memoize(f)`, `n += 1`, `del f`: names the statement reads before it binds them."""
    if isinstance(statement, ast.Delete):
        return deleted_names(statement)
    if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
        return {statement.target.id} | {item.id for item in ast.walk(statement.value) if isinstance(item, ast.Name)}
    value = getattr(statement, "value", None)
    if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or value is None:
        return set()
    return {item.id for item in ast.walk(value) if isinstance(item, ast.Name)}


def reference_bases(node, tests, index):
    """The names an expression reads *directly* (its value is, or holds, theirs): `x`, `t[0][1]`,
    `(a, b)`, `sorted(x)`; and the globals of the tests' functions it calls (`expected_for(3)`).
    A computation (`100 * RATE`) holds none."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        return reference_bases(node.value, tests, index)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return set().union(*(reference_bases(item, tests, index) for item in node.elts))
    if isinstance(node, ast.Dict):
        return set().union(*(reference_bases(item, tests, index) for item in node.keys + node.values if item))
    if isinstance(node, ast.UnaryOp):
        return reference_bases(node.operand, tests, index)
    if isinstance(node, ast.IfExp):
        return reference_bases(node.body, tests, index) | reference_bases(node.orelse, tests, index)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in CONTAINING_CALLS and node.func.id not in tests.names:
            return set().union(*(reference_bases(item, tests, index) for item in node.args))
        return tests.function_globals({node.func.id}, index)
    return set()


def judged_arities(node, tests):
    """The call the judge computes itself (on plain values) as (name, arguments), or None."""
    if not isinstance(node, ast.Call) or any(isinstance(argument, ast.Starred) for argument in node.args):
        return None
    function = node.func
    arguments = list(node.args)
    if isinstance(function, ast.Name) and function.id in JUDGED_CALLS and function.id not in tests.names:
        if function.id == "round" and [keyword.arg for keyword in node.keywords] == ["ndigits"]:
            arguments.append(node.keywords[0].value)
        elif node.keywords:
            return None
        return (function.id, arguments) if len(arguments) in JUDGED_CALLS[function.id] else None
    is_isclose = (isinstance(function, ast.Name) and function.id in tests.isclose_names) or (
        isinstance(function, ast.Attribute) and function.attr == "isclose"
        and isinstance(function.value, ast.Name) and tests.modules.get(function.value.id) == "math")
    if is_isclose and len(node.args) == 2 and all(keyword.arg in ISCLOSE_KEYWORDS for keyword in node.keywords):
        return "isclose", arguments
    return None


def is_identity_probe(node, tests):
    """`x is y` where neither side is None, True, False or a built-in type: identity is known only
    in the process that holds both objects, so the whole comparison is one probe."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot))):
        return False

    def known(side):
        return ((isinstance(side, ast.Constant) and side.value in (None, True, False, ...))
                or (isinstance(side, ast.Name) and side.id in BUILTIN_NAMES and side.id not in tests.names
                    and isinstance(getattr(builtins, side.id, None), type)))

    return not (known(node.left) or known(node.comparators[0]))


def split_children(node, tests):
    """The sub-expressions a test is split into (the judge combines their values), or []."""
    if is_identity_probe(node, tests):
        return []
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.UnaryOp) and type(node.op) in JUDGED_UNARY:
        return [node.operand]
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.BinOp) and type(node.op) in JUDGED_BINARY:
        return [node.left, node.right]
    judged = judged_arities(node, tests)
    if judged is not None:
        return judged[1] + [keyword.value for keyword in node.keywords if keyword.arg in ISCLOSE_KEYWORDS]
    return []


class Tests:
    """What is known of the tests before running them: names, whose they are where, versions of
    the tests' data, and which versions an expected value reads directly (secrets)."""

    def __init__(self, source, statements):
        self.source = source
        self.statements = statements
        self.scopes = [scope_of(statement, "exec") for statement in statements]
        for scope, statement in zip(self.scopes, statements):
            scope.binds |= star_imported(statement)
        self.names = set().union(*(scope.binds for scope in self.scopes)) - {"__builtins__"}
        self.bound_before = []
        bound = set()
        for scope in self.scopes:
            self.bound_before.append(set(bound))
            bound |= scope.binds
        self.modules, self.isclose_names = self._imports()
        self.changed = []
        for index in range(len(statements)):
            self.changed.append(self._changes(index))
        self.may_taint = self._static_taint()
        self.secret = self._secrets()

    def _imports(self):
        """Names bound only by `import x` (modules), and names of math.isclose itself."""
        modules, isclose, other = {}, set(), set()
        for statement, scope in zip(self.statements, self.scopes):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    modules[(alias.asname or alias.name).split(".")[0]] = alias.name
            elif isinstance(statement, ast.ImportFrom) and statement.module == "math" and not statement.level:
                isclose.update(alias.asname or alias.name for alias in statement.names if alias.name == "isclose")
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                other |= scope.binds
        return ({name: module for name, module in modules.items() if name not in other},
                isclose - other - set(modules))

    def student_names(self, index, names, later=False):
        """Of `names` read by statement `index` (now, or later in a function body), the student's."""
        if later:
            return {name for name in names if name not in self.names and name not in BUILTIN_NAMES}
        own_first = reads_before_binding(self.statements[index])
        bound = self.bound_before[index]
        own = self.scopes[index].binds
        return {name for name in names if name not in bound and name not in BUILTIN_NAMES
                and (name not in own or name in own_first)}

    def definition(self, name, index):
        """The statement that last bound or changed `name` before statement `index`, or -1."""
        for earlier in range(index - 1, -1, -1):
            if name in self.changed[earlier]:
                return earlier
        return -1

    def function_globals(self, names, index, seen=None):
        """The tests' names that the tests' functions among `names` read when called at `index`
        (transitively): what a call of them hands on."""
        seen = set() if seen is None else seen
        found = set()
        for name in names - seen:
            seen.add(name)
            where = self.definition(name, index) if name in self.names else -1
            if where < 0 or not isinstance(self.statements[where], (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                    ast.ClassDef, ast.Assign)):
                continue
            reads = self.scopes[where].later & self.names
            found |= reads | self.function_globals(reads, index, seen)
        return found

    def called_names(self, node):
        return {item.func.id for item in ast.walk(node)
                if isinstance(item, ast.Call) and isinstance(item.func, ast.Name)}

    def _changes(self, index):
        """Names statement `index` binds or may change (the version of each starts there)."""
        statement, scope = self.statements[index], self.scopes[index]
        if isinstance(statement, ast.Assert):
            return set()
        changed = set(scope.binds)
        if plain_targets(statement) is None:
            changed |= scope.now & self.names
        return changed | self.function_globals(self.called_names(statement) & self.names, index)

    def touches(self, index, scope, tainted):
        """Whether what `scope` reads at statement `index` is the student's or tainted."""
        return bool(self.student_names(index, scope.now) or self.student_names(index, scope.later, True)
                    or (scope.reads & tainted))

    def probe_nodes(self, index, test, tainted):
        """The sub-expressions of a test that are probes when `tainted` is tainted."""
        if not self.touches(index, scope_of(test, "eval"), tainted):
            return []
        children = split_children(test, self)
        if not children:
            return [test]
        return [node for child in children for node in self.probe_nodes(index, child, tainted)]

    def _static_taint(self):
        """Every name that may ever be tainted (the run taints fewer: it computes some operands
        here rather than hand them on)."""
        taint = Taint(self)
        for index, statement in enumerate(self.statements):
            scope = self.scopes[index]
            if isinstance(statement, ast.Assert):
                for node in self.probe_nodes(index, statement.test, taint.tainted):
                    taint.hand_on(node, scope_of(node, "eval"), index)
            elif self.touches(index, scope, taint.tainted):
                taint.hand_on(statement, scope, index)
                taint.taint(scope.binds)
            else:
                taint.link(taint.handed_on(statement, scope.reads, into_calls=False))
        return taint.tainted

    def _secrets(self):
        """{(name, version): {case statements}}: data that an expected value may read directly."""
        secret = {}
        self.candidates = {}
        for index, statement in enumerate(self.statements):
            if not isinstance(statement, ast.Assert):
                continue
            self.candidates[index] = self._expected_candidates(index, statement.test)
            for candidate in self.candidates[index]:
                for name in reference_bases(candidate, self, index) & self.names:
                    self._mark(secret, name, self.definition(name, index), index, 0)
        return secret

    def _mark(self, secret, name, version, case, depth):
        if version < 0 or depth > 20 or case in secret.setdefault((name, version), set()):
            return
        secret[(name, version)].add(case)
        statement = self.statements[version]
        for target, value in self._assigned_pairs(statement):
            if name in {item.id for item in ast.walk(target) if isinstance(item, ast.Name)}:
                for base in reference_bases(value, self, version) & self.names:
                    self._mark(secret, base, self.definition(base, version), case, depth + 1)
        if isinstance(statement, (ast.For, ast.AugAssign)) or plain_targets(statement) is None:
            for base in self.scopes[version].now & self.names:
                self._mark(secret, base, self.definition(base, version), case, depth + 1)

    def feeds_expected(self, names, index):
        """Whether, after statement `index`, an expected operand, or a statement that makes data an
        expected value reads directly, reads one of `names` (`expected = random.random()`)."""
        for (_, version), cases in self.secret.items():
            if version > index and self.scopes[version].now & names and any(case > index for case in cases):
                return True
        return any(scope_of(candidate, "eval").now & names
                   for case, candidates in self.candidates.items() if case > index
                   for candidate in candidates)

    @staticmethod
    def _assigned_pairs(statement):
        """(target, value) pairs of an assignment, element-wise for `a, b = x, y`."""
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if (isinstance(target, ast.Tuple) and isinstance(statement.value, ast.Tuple)
                        and len(target.elts) == len(statement.value.elts)):
                    yield from zip(target.elts, statement.value.elts)
                else:
                    yield target, statement.value
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and statement.value is not None:
            yield statement.target, statement.value

    def _expected_candidates(self, index, test):
        """Every sub-expression of a test that may end up evaluated here as an expected value,
        whatever the tests hand to the student before it (taint only grows from student names)."""
        def could_touch(node):
            return self.touches(index, scope_of(node, "eval"), self.may_taint)

        def surely_student(node):
            scope = scope_of(node, "eval")
            return bool(self.student_names(index, scope.now) or self.student_names(index, scope.later, True))

        if not could_touch(test):
            return [test]
        found, stack = [], [test]
        while stack:
            node = stack.pop()
            for child in split_children(node, self):
                if not surely_student(child):
                    found.append(child)
                if could_touch(child):
                    stack.append(child)
        return found


class Taint:
    """Names the student's code may have changed or kept (tainted), with their aliases: names
    that may hold the same object, so that a change through one is seen through all."""

    def __init__(self, tests):
        self.tests = tests
        self.tainted = set()
        self.groups = {}

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
        roots = {self._root(name) for name in names & self.tests.names}
        self.tainted |= {name for name in self.tests.names | set(self.groups) if self._root(name) in roots}

    def hand_on(self, node, scope, index):
        """Taints what a step of the student's run hands to its code, and returns the globals of
        the tests' functions it calls (they count as handed on: `fresh_input()` returns DATA)."""
        called = self.tests.function_globals(self.tests.called_names(node) & self.tests.names, index)
        self.taint(self.handed_on(node, scope.reads) | called)
        return called

    def handed_on(self, node, reads, into_calls=True):
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
            if isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name) and item.value.id in self.tests.modules:
                continue
            if isinstance(item, ast.Call) and not into_calls:
                continue
            if (isinstance(item, ast.Call) and isinstance(item.func, ast.Name)
                    and item.func.id in FRESH_RESULT_CALLS and item.func.id not in self.tests.names):
                continue
            if isinstance(item, ast.Call) and isinstance(item.func, ast.Name):
                stack.extend(item.args + [keyword.value for keyword in item.keywords])
                continue  # calling a function hands on its arguments, not the function
            stack.extend(ast.iter_child_nodes(item))
        return found & reads & self.tests.names


class Literal:
    """Plain values as Python source: a dict display of bindings for the student's run (evaluated
    with no built-ins but `inf`, `nan`, `set`, `frozenset` and the types `T`), shared lists, dicts
    and sets written once (`(_0 := [...])`) so that aliases stay aliases."""

    PLAIN = {type(None), bool, int, float, str, list, tuple, dict, set, frozenset}
    TYPES = {type(None): "NoneType", bool: "bool", int: "int", float: "float", str: "str", list: "list",
             tuple: "tuple", dict: "dict", set: "set", frozenset: "frozenset"}
    MUTABLE = (list, dict, set)

    def __init__(self, limit):
        self.limit = limit
        self.counts = {}
        self.named = {}
        self.size = 0

    def bindings(self, values):
        """Source of a dict display {name: value}, or raises NotPlain."""
        for value in values.values():
            self._count(value, 0, set())
        return "{" + ", ".join(repr(name) + ": " + self._write(value) for name, value in values.items()) + "}"

    def _count(self, value, depth, path):
        kind = type(value)
        if kind not in self.PLAIN and not (kind is type and value in self.TYPES):
            raise NotPlain(kind.__qualname__)
        if depth > MAX_DEPTH:
            raise NotPlain("a value nested too deeply")
        if kind in self.MUTABLE or kind in (tuple, frozenset):
            if id(value) in path:
                raise NotPlain("a value that holds itself")
            if kind in self.MUTABLE:
                self.counts[id(value)] = self.counts.get(id(value), 0) + 1
                if self.counts[id(value)] > 1:
                    return
            path.add(id(value))
            for item in (value.items() if kind is dict else value):
                for part in (item if kind is dict else (item,)):
                    self._count(part, depth + 1, path)
            path.discard(id(value))

    def _write(self, value):
        self.size += 1
        if self.size > self.limit:
            raise NotPlain("a value too large")
        kind = type(value)
        if kind is type:
            return "T[" + repr(self.TYPES[value]) + "]"
        if kind is float:
            if value != value:
                return "nan"
            if value in (float("inf"), float("-inf")):
                return "inf" if value > 0 else "-inf"
            return repr(value)
        if kind is int:
            return repr(value) if value.bit_length() < 10000 else hex(value)
        if kind in (type(None), bool, str):
            return repr(value)
        if kind in self.MUTABLE and self.counts.get(id(value), 0) > 1:
            if id(value) in self.named:
                return self.named[id(value)]
            name = "_%d" % len(self.named)
            self.named[id(value)] = name
            return "(" + name + " := " + self._container(value) + ")"
        return self._container(value)

    def _container(self, value):
        kind = type(value)
        if kind is dict:
            return "{" + ", ".join(self._write(key) + ": " + self._write(item) for key, item in value.items()) + "}"
        items = [self._write(item) for item in value]
        if kind is list:
            return "[" + ", ".join(items) + "]"
        if kind is tuple:
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if kind is set:
            return "{" + ", ".join(items) + "}" if items else "set()"
        return "frozenset((" + ", ".join(items) + ("," if len(items) == 1 else "") + "))"


def literal_node(value):
    """An expression node for an immutable plain value that needs no name to evaluate, or None."""
    kind = type(value)
    if (kind in (type(None), bool, str) or (kind is int and value.bit_length() < 10000)
            or (kind is float and value - value == 0)):
        return ast.parse(repr(value), mode="eval").body
    if kind is tuple:
        items = [literal_node(item) for item in value]
        return None if any(item is None for item in items) else ast.Tuple(elts=items, ctx=ast.Load())
    return None


class Planner:
    """Runs the tests in order, with the Tests' knowledge, and writes the plan."""

    def __init__(self, tests):
        self.tests = tests
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.taint = Taint(tests)
        self.probes = []
        self.expected = []
        self.cases = []
        self.steps = []
        self.gates = []
        self.warnings = []
        self.bound = {}  # name -> version the student's run holds from a hard step
        self.reported = set()  # cases whose probes were emitted
        self.ungated = []  # probes emitted since the last gate
        self.messages = []  # (case, part node, probe id) for after the cases
        self.stop = None

    def student_reads(self, index, node, mode="exec"):
        scope = self.tests.scopes[index] if mode == "exec" else scope_of(node, "eval")
        return self.tests.touches(index, scope, self.taint.tainted)

    def plan(self):
        for index, statement in enumerate(self.tests.statements):
            if isinstance(statement, ast.Assert):
                self.plan_case(index, statement)
            elif self.student_reads(index, statement):
                self.student_statement(index, statement)
            elif not self.teacher_statement(index, statement):
                self.unreached(index + 1)
                break
        self.plan_messages()

    def unreached(self, start):
        """The cases after the statement that raised: they count, and fail (the judge stops there)."""
        for index in range(start, len(self.tests.statements)):
            statement = self.tests.statements[index]
            if isinstance(statement, ast.Assert):
                self.cases.append({"statement": index, "line": statement.lineno,
                                   "source": ast.unparse(statement), "test": ["e", 0], "message": None})

    # Statements
    def student_statement(self, index, statement):
        if any(isinstance(node, ast.Assert) for node in ast.walk(statement)):
            self.warnings.append(NESTED_ASSERTS % statement.lineno)
        scope = self.tests.scopes[index]
        called = self.tests.function_globals(self.tests.called_names(statement) & self.tests.names, index)
        self.provide(index, (scope.reads | called) & self.tests.names - self.taint.tainted, statement.lineno)
        self.steps.append(["x", index, *self.source_of(statement), None])
        self.taint.hand_on(statement, scope, index)
        self.taint.taint(scope.binds)

    def teacher_statement(self, index, statement):
        """Runs a statement of the tests here; False when it raised (the tests stop there)."""
        scope = self.tests.scopes[index]
        try:
            exec(compile(ast.Module(body=[statement], type_ignores=[]), TESTS_FILE, "exec"), self.namespace)
        except BaseException as error:  # noqa: BLE001 - an exception outside an assert stops the tests
            self.stop = {"statement": index, "line": statement.lineno, "error": exception_text(error)}
            return False
        self.taint.tainted -= plain_targets(statement) or set()
        self.taint.link(self.taint.handed_on(statement, scope.reads, into_calls=False))
        self.offer(index, statement)
        return True

    def offer(self, index, statement):
        """Soft steps: what the statement made, for an answer that names it (never a secret)."""
        scope = self.tests.scopes[index]
        names = sorted(self.tests.changed[index] - self.taint.tainted)
        secret_reads = {name for name in scope.now & self.tests.names
                        if (name, self.tests.definition(name, index)) in self.tests.secret}
        if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not secret_reads:
                deps = sorted(scope.later & self.tests.names)
                self.steps.append(["x", index, *self.source_of(statement), [sorted(scope.binds), deps]])
            return
        if not scope.binds and not (scope.reads - set(self.tests.modules)) and scope.reads:
            # Module set-up such as random.seed(1), for an answer that uses the module, unless an
            # expected value is drawn from the module's state later (the answer could draw it too).
            if not self.tests.feeds_expected(scope.reads, index):
                self.steps.append(["x", index, *self.source_of(statement), [sorted(scope.reads), []]])
            return
        values = {name: self.namespace[name] for name in names
                  if name in self.namespace and (name, index) not in self.tests.secret}
        for name, value in values.items():
            try:
                source = Literal(MAX_VALUE_ITEMS).bindings({name: value})
            except NotPlain:
                continue
            self.steps.append(["v", index, statement.lineno, source, [[name], []]])

    # Hard steps: what the student's run needs for its next step, bound right before it.
    def provide(self, index, names, line, seen=None):
        seen = set() if seen is None else seen
        values = {}
        for name in sorted(names - self.taint.tainted):
            version = self.tests.definition(name, index)
            if version < 0 or self.bound.get(name) == version or name not in self.namespace:
                continue
            value = self.namespace[name]
            if type(value) in Literal.PLAIN or (type(value) is type and value in Literal.TYPES):
                values[name] = (value, version)
            elif version not in seen:
                seen.add(version)
                self.replay(version, index, seen)
        if not values:
            return
        try:
            source = Literal(MAX_VALUE_ITEMS).bindings({name: value for name, (value, _) in values.items()})
        except NotPlain as error:
            self.warnings.append("Line %d: a value the answer's run needs could not be sent (%s)." % (line, error))
            return
        for name, (_, version) in values.items():
            self.check_secret(name, version, line)
            self.bound[name] = version
        self.steps.append(["v", index, line, source, None])

    def replay(self, version, index, seen):
        """Makes a value that isn't plain data (a function, class, module, object) by running its
        statement in the student's run, after what that statement needs."""
        statement = self.tests.statements[version]
        scope = self.tests.scopes[version]
        needed = scope.now & self.tests.names
        if plain_targets(statement) is None:
            for name in needed:
                earlier = self.tests.definition(name, version)
                if earlier >= 0 and earlier not in seen:
                    seen.add(earlier)
                    self.replay(earlier, index, seen)
        stale = sorted(name for name in needed if self.tests.definition(name, version) != self.tests.definition(name, index))
        if stale:
            self.warnings.append("Line %d is run again for the answer's run with the current %s, which changed after it."
                                 % (statement.lineno, ", ".join(stale)))
        self.provide(index, needed - scope.binds, statement.lineno, seen)
        for name in scope.binds & self.tests.names:
            self.check_secret(name, version, statement.lineno)
            self.bound[name] = version
        self.steps.append(["x", version, *self.source_of(statement), None])

    def check_secret(self, name, version, line):
        """A secret sent for a case already reported waits for its probes (a gate); for a case
        still to come, that case is weak."""
        for case in sorted(self.tests.secret.get((name, version), ())):
            if case in self.reported:
                if self.ungated:
                    self.gates.append([len(self.steps), self.ungated])
                    self.ungated = []
            else:
                self.warnings.append(
                    "Line %d: the answer's run gets %s (line %d) before it is checked as an expected value."
                    % (self.tests.statements[case].lineno, name, line))

    # Cases
    def plan_case(self, index, statement):
        case = {"statement": index, "line": statement.lineno, "source": ast.unparse(statement),
                "expected": []}
        if self.student_reads(index, statement):
            case["test"] = self.split(statement.test, case, index)
        else:
            case["test"] = ["e", self.add_expected(statement.test, case, truth=True)]
        case["message"] = None if statement.msg is None else self.plan_message(statement.msg, case, index)
        if case["test"][0] == "p" or not case["expected"]:
            self.warnings.append("Line %d checks only a truth value that the answer's run reports "
                                 "(a predicate): compare with an expected value instead." % statement.lineno)
        self.cases.append(case)
        self.reported.add(index)

    def split(self, node, case, index):
        if not self.student_reads(index, node, "eval"):
            return ["e", self.add_expected(node, case)]
        if is_identity_probe(node, self.tests):
            return ["p", self.add_probe(node, case, index)]
        if isinstance(node, ast.BoolOp):
            return ["and" if isinstance(node.op, ast.And) else "or",
                    [self.split(value, case, index) for value in node.values]]
        if isinstance(node, ast.UnaryOp) and type(node.op) in JUDGED_UNARY:
            return ["u", JUDGED_UNARY[type(node.op)], self.split(node.operand, case, index)]
        if isinstance(node, ast.Compare):
            left = self.split(node.left, case, index)
            return ["c", left, [[COMPARISONS[type(op)], self.split(right, case, index)]
                                for op, right in zip(node.ops, node.comparators)]]
        if isinstance(node, ast.BinOp) and type(node.op) in JUDGED_BINARY:
            left = self.split(node.left, case, index)
            return ["b", JUDGED_BINARY[type(node.op)], left, self.split(node.right, case, index)]
        judged = judged_arities(node, self.tests)
        if judged is not None:
            name, arguments = judged
            if (name in STUDENT_SIDE_CALLS and self.student_reads(index, arguments[0], "eval")
                    and not split_children(arguments[0], self.tests)):
                return ["p", self.add_probe(arguments[0], case, index, "p:" + name)]
            keywords = {keyword.arg: self.split(keyword.value, case, index)
                        for keyword in node.keywords if keyword.arg in ISCLOSE_KEYWORDS}
            return ["f", name, [self.split(argument, case, index) for argument in arguments], keywords]
        return ["p", self.add_probe(node, case, index)]

    def add_expected(self, node, case, truth=False):
        ident = len(self.expected)
        self.expected.append(evaluate(compile(ast.Expression(body=node), TESTS_FILE, "eval"), self.namespace, truth))
        case["expected"].append(ident)
        return ident

    def add_probe(self, node, case, index, kind="p"):
        """A probe, its operands of the tests computed here where they can be (see rewrite), what
        it needs bound before it, and what it hands to the student's code."""
        ident = len(self.probes)
        self.probes.append(ast.unparse(node))
        rewritten = self.rewrite(node, index)
        scope = scope_of(rewritten, "eval")
        called = self.tests.function_globals(self.tests.called_names(rewritten) & self.tests.names, index)
        self.provide(index, (scope.reads | called) & self.tests.names - self.taint.tainted, node.lineno)
        self.steps.append([kind, ident, node.lineno, ast.unparse(rewritten), None])
        self.ungated.append(ident)
        self.taint.hand_on(rewritten, scope, index)
        return ident

    def plan_message(self, message, case, index):
        """An assert's message as parts: text computed here, and the values of the answer's
        expressions in an f-string, reported by the student's run after all the cases. The
        message's own text never goes there. Any other message that uses the answer isn't shown."""
        if not self.student_reads(index, message, "eval"):
            return [{"text": self.add_message_text(message)}]
        if not isinstance(message, ast.JoinedStr):
            return None
        parts = []
        for value in message.values:
            if isinstance(value, ast.Constant):
                parts.append({"text": str(value.value)})
                continue
            single = ast.copy_location(ast.JoinedStr(values=[value]), value)
            if self.student_reads(index, single, "eval"):
                ident = len(self.probes)
                self.probes.append(ast.unparse(single))
                self.messages.append((index, single, ident))
                parts.append({"probe": ident})
            else:
                parts.append({"text": self.add_message_text(single)})
        return parts

    def add_message_text(self, node):
        try:
            return str(eval(compile(ast.Expression(body=node), TESTS_FILE, "eval"), self.namespace))[:4096]
        except BaseException as error:  # noqa: BLE001 - the message's own failure is its text
            return exception_text(error)

    def plan_messages(self):
        if not self.messages:
            return
        end = len(self.tests.statements)
        self.steps.append(["M", 0, 1, "", None])
        for index, node, ident in self.messages:
            scope = scope_of(node, "eval")
            self.provide(end, scope.reads & self.tests.names - self.taint.tainted, node.lineno)
            self.steps.append(["m", ident, node.lineno, ast.unparse(node), None])

    # Rewriting probes: inlined helpers, operands of the tests computed here.
    def rewrite(self, node, index):
        node = Inliner(self, index).visit(ast.parse(ast.unparse(node), mode="eval").body)
        return ast.fix_missing_locations(Holes(self, index).visit(node))

    def source_of(self, statement):
        """The statement's first line (decorators included) and its source from there."""
        decorators = getattr(statement, "decorator_list", [])
        if decorators:
            first = decorators[0].lineno
            return first, "\n".join(self.tests.source.splitlines()[first - 1:statement.end_lineno])
        return statement.lineno, ast.get_source_segment(self.tests.source, statement) or ast.unparse(statement)


class Inliner(ast.NodeTransformer):
    """Replaces a call of the tests' helper `def f(a, b): return <expression>` by the expression,
    when its arguments are names or constants (evaluated once either way), so that `run(cube, 0)`
    with `return f(CASES[i][0])` becomes `cube(CASES[0][0])`."""

    def __init__(self, planner, index):
        self.planner, self.index, self.depth = planner, index, 0

    def visit_Call(self, node):
        self.generic_visit(node)
        helper = self.helper(node)
        if helper is None or self.depth >= MAX_INLINING:
            return node
        parameters = [argument.arg for argument in helper.args.args]
        values = dict(zip(parameters, node.args))
        body = Substitute(values).visit(ast.parse(ast.unparse(helper.body[-1].value), mode="eval").body)
        self.depth += 1
        try:
            return self.visit(body)
        finally:
            self.depth -= 1

    def helper(self, node):
        tests = self.planner.tests
        if not (isinstance(node.func, ast.Name) and node.func.id in tests.names
                and node.func.id not in self.planner.taint.tainted and not node.keywords
                and all(isinstance(argument, (ast.Name, ast.Constant)) for argument in node.args)):
            return None
        where = tests.definition(node.func.id, self.index)
        definition = tests.statements[where] if where >= 0 else None
        if not isinstance(definition, ast.FunctionDef) or definition.decorator_list:
            return None
        arguments = definition.args
        body = [item for item in definition.body
                if not (isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant))]
        if (arguments.vararg or arguments.kwarg or arguments.kwonlyargs or arguments.defaults
                or arguments.posonlyargs or len(arguments.args) != len(node.args)
                or len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None
                or definition.body[-1] is not body[0]):
            return None
        expression = body[0].value
        if any(isinstance(item, NESTED_SCOPES + (ast.Yield, ast.YieldFrom, ast.Await)) for item in ast.walk(expression)):
            return None
        if node.func.id in {item.id for item in ast.walk(expression) if isinstance(item, ast.Name)}:
            return None
        return definition


class Substitute(ast.NodeTransformer):
    def __init__(self, values):
        self.values = values

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            return ast.parse(ast.unparse(self.values[node.id]), mode="eval").body
        return node


class Holes(ast.NodeTransformer):
    """Replaces a pure sub-expression of the tests' own names (`CASES[0][0]`, `data[1:]`, `N + 1`)
    by its value computed here, when that value is immutable (handing it on changes nothing) and
    isn't what an expected value reads directly."""

    def __init__(self, planner, index):
        self.planner, self.index = planner, index

    def visit(self, node):
        if isinstance(node, NESTED_SCOPES):
            return node  # its names may be its own
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Name, ast.Constant)):
            replaced = self.hole(node)
            if replaced is not None:
                return ast.copy_location(replaced, node)
        return self.generic_visit(node)

    def hole(self, node):
        names = {item.id for item in ast.walk(node) if isinstance(item, ast.Name)}
        tests, planner = self.planner.tests, self.planner
        if (not names & tests.names or names - tests.names - FRESH_RESULT_CALLS or names & planner.taint.tainted
                or not all(isinstance(item, PURE_NODES) for item in ast.walk(node))
                or any(isinstance(item, ast.Call) and not (isinstance(item.func, ast.Name)
                                                           and item.func.id in FRESH_RESULT_CALLS
                                                           and item.func.id not in tests.names)
                       for item in ast.walk(node))
                or self.reads_secret(node)):
            return None
        try:
            value = eval(compile(ast.Expression(body=node), TESTS_FILE, "eval"), planner.namespace)
        except BaseException:  # noqa: BLE001 - the student's run meets the same error
            return None
        literal = literal_node(value)
        if literal is None or len(ast.unparse(literal)) > MAX_HOLE_SOURCE:
            return None
        return literal

    def reads_secret(self, node):
        """Whether the hole's value could be (part of) one that an expected value reads directly:
        a prefix of such a chain (`CASES[1]` of `CASES[1][1]`), its base name at a secret version."""
        chain = subscript_chain(node)
        if chain is None:
            return False
        tests = self.planner.tests
        version = tests.definition(chain[0], self.index)
        for case in tests.secret.get((chain[0], version), ()):
            for candidate in tests.candidates[case]:
                other = subscript_chain(candidate)
                if other and other[0] == chain[0] and chains_overlap(chain, other):
                    return True
        return False


def subscript_chain(node):
    """`a[0].b[1]` as ["a", "[0]", ".b", "[1]"], or None for other expressions."""
    parts = []
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        parts.append("[" + ast.unparse(node.slice) + "]" if isinstance(node, ast.Subscript) else "." + node.attr)
        node = node.value
    return [node.id] + parts[::-1] if isinstance(node, ast.Name) else None


def chains_overlap(hole, read):
    """Whether one of two paths from the same name may lead into the other (a step that isn't a
    constant may be any)."""
    return all(mine == theirs or not (is_constant_step(mine) and is_constant_step(theirs))
               for mine, theirs in zip(hole[1:], read[1:]))


def is_constant_step(step):
    if step.startswith("."):
        return True
    try:
        ast.literal_eval(step[1:-1])
        return True
    except (ValueError, SyntaxError):
        return False


def evaluate(code, namespace, truth):
    if truth:
        return encode_outcome(lambda: bool(eval(code, namespace)))
    return encode_outcome(lambda: eval(code, namespace))


def plan_tests(source):
    try:
        tree = ast.parse(source, TESTS_FILE)
        compile(tree, TESTS_FILE, "exec")
    except (SyntaxError, ValueError) as error:
        return '{"invalid":' + json_string("\x02grading_testing_code_invalid\x03 " + exception_only(error)) + "}"
    planner = Planner(Tests(source, tree.body))
    planner.plan()
    cases = [{key: case[key] for key in ("statement", "line", "source", "test", "message")} for case in planner.cases]
    return ('{"cases":' + json.dumps(cases) + ',"probes":' + json.dumps(planner.probes)
            + ',"steps":' + json.dumps(planner.steps) + ',"gates":' + json.dumps(planner.gates)
            + ',"expected":[' + ",".join(planner.expected) + '],"stop":' + json.dumps(planner.stop)
            + ',"warnings":' + json.dumps(sorted(set(planner.warnings))) + "}")


def main():
    read, write = open_channel()
    write('["start"]')
    data = b""
    while True:
        chunk = read(65536)
        if not chunk:
            break
        data += chunk
    try:
        plan = plan_tests(json.loads(data)["testing_code"])
    except RecursionError:
        plan = '{"invalid":"\\u0002grading_nested_too_deeply\\u0003"}'
    write('{"plan":' + plan + "}")


if __name__ == "__main__":
    run_program(main)
