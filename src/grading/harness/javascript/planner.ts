/**
 * Plans the grading of a JavaScript question from its tests alone, in the runner (planning runs
 * none of the tests' code; test-statements.ts reads them). Names
 * the tests use but never bind, other than the context's globals, are the student's; a top-level
 * statement that uses one (or a name tainted before) is tainted, and so is every name it binds or
 * hands on. Each top-level `assert(...)`/`assert.<method>(...)` call statement is a case; its
 * operands are split through `!`, `&&`/`||`/`??`, comparisons, arithmetic, `Math.abs` and
 * `Object.is` down to operands that touch no tainted name (expected values, computed by the
 * teacher-only run) and probes (reported by the student's run).
 */

import type * as ESTree from "estree";
import { graderText } from "../../../i18n/grader-text";
import type { JudgeNode, MessagePart, PlannedCase } from "./plan";
import {
  type AssertCall,
  assertCall,
  children,
  contextGlobals,
  PlanningError,
  plainTargets,
  rangeOf,
  readStatements,
  type TestStatement,
} from "./test-statements";

/** What a step of a run does: run a statement, report a value, its text, what calling it throws,
 * or an assert.throws matcher. */
export type StepKind = "x" | "v" | "s" | "t" | "c";
/** [kind, id (statement, probe or expected value), line, column, source] */
export type Step = [StepKind, number, number, number, string];

export interface StaticPlan {
  cases: PlannedCase[];
  /** Sources of the probes, for messages. */
  probes: string[];
  teacherSteps: Step[];
  /** The student's run's steps, each with the statement it belongs to (to cut them at a stop). */
  studentSteps: [Step, number][];
  /** Statements whose checks can't be judged outside (logged when the plan is made). */
  warnings: string[];
}

const nestedAsserts = (line: number) =>
  `Line ${line}: its asserts run in the answer's run, which reports whether they raised, so a wrong answer that makes them not raise passes the cases after them; keep checks as top-level asserts.`;

const comparedBinary = new Set([
  "==",
  "!=",
  "===",
  "!==",
  "<",
  "<=",
  ">",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
]);
/** Global functions whose result is new and which never change or keep their arguments. */
const freshResultCalls = new Set([
  "String",
  "Number",
  "Boolean",
  "BigInt",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "JSON",
  "Math",
  "structuredClone",
]);

type Action = { kind: "teacher" | "student" } | { kind: "case"; plannedCase: CaseInProgress };

interface CaseInProgress extends PlannedCase {
  expected: number[];
}

interface Operand {
  statement: number;
  line: number;
  column: number;
  source: string;
  needs: Set<string>;
}

/** The plan of tests, or a PlanningError saying why they can't be planned. */
export function planTests(source: string): StaticPlan {
  return new Planner(source, readStatements(source)).plan();
}

class Planner {
  readonly teacherNames = new Set<string>();
  readonly tainted = new Set<string>();
  readonly groups = new Map<string, string>();
  readonly probes: (Operand & { kind: "v" | "s" | "t" })[] = [];
  readonly expected: (Operand & { kind: StepKind })[] = [];
  readonly cases: CaseInProgress[] = [];
  readonly actions: Action[] = [];

  constructor(
    private readonly source: string,
    readonly statements: TestStatement[],
  ) {
    for (const statement of statements)
      for (const name of statement.binds) this.teacherNames.add(name);
    if (this.teacherNames.has("assert"))
      throw new PlanningError(
        `${graderText("grading_testing_code_invalid")} ${graderText("grading_own_assert")}`,
      );
  }

  isStudent(name: string) {
    return !this.teacherNames.has(name) && !contextGlobals().has(name);
  }

  touchesStudent(names: Iterable<string>) {
    for (const name of names) if (this.isStudent(name) || this.tainted.has(name)) return true;
    return false;
  }

  // Aliases: names that may hold the same object, so a change through one is seen through all.
  #root(name: string): string {
    let root = name;
    while ((this.groups.get(root) ?? root) !== root) root = this.groups.get(root) as string;
    return root;
  }

  link(names: Set<string>) {
    const [first, ...rest] = [...names].map((name) => this.#root(name));
    for (const root of rest)
      if (first !== undefined && root !== first) this.groups.set(root, first);
  }

  taint(names: Set<string>) {
    const roots = new Set(
      [...names].filter((name) => this.teacherNames.has(name)).map((name) => this.#root(name)),
    );
    for (const name of [...this.teacherNames, ...this.groups.keys()])
      if (roots.has(this.#root(name))) this.tainted.add(name);
  }

  /** Names (of the tests') in the node whose objects the node may change or keep: not an operand of
   * an operator, not an argument of a built-in that only reads it; without intoCalls, no call's
   * arguments either (what the tests' own functions return is taken to be new). */
  handedOn(node: ESTree.Node, statement: TestStatement, intoCalls = true): Set<string> {
    const found = new Set<string>();
    const visit = (item: ESTree.Node) => {
      if (item.type === "Identifier") {
        const name = statement.references.get(rangeOf(item)[0]);
        if (name !== undefined && this.teacherNames.has(name)) found.add(name);
        return;
      }
      if (
        item.type === "BinaryExpression" ||
        item.type === "UnaryExpression" ||
        item.type === "UpdateExpression" ||
        item.type === "TemplateLiteral"
      )
        return;
      if (item.type === "CallExpression" || item.type === "NewExpression") {
        if (!intoCalls || this.#freshResult(item.callee)) return;
      }
      for (const child of children(item)) visit(child);
    };
    visit(node);
    return found;
  }

  #freshResult(callee: ESTree.Node): boolean {
    const base =
      callee.type === "MemberExpression" && callee.object.type === "Identifier"
        ? callee.object.name
        : callee.type === "Identifier"
          ? callee.name
          : undefined;
    return base !== undefined && freshResultCalls.has(base) && !this.teacherNames.has(base);
  }

  plan(): StaticPlan {
    const boundBefore = new Set<string>();
    const warnings: string[] = [];
    this.statements.forEach((statement, index) => {
      const assertion = assertCall(statement.node);
      if (assertion) {
        this.actions.push({
          kind: "case",
          plannedCase: this.planCase(index, statement, assertion),
        });
        return;
      }
      const usesStudent =
        this.touchesStudent(statement.mentions) || this.#readsBeforeBinding(statement, boundBefore);
      for (const name of statement.binds) boundBefore.add(name);
      if (usesStudent) {
        if (statement.mentions.has("assert"))
          warnings.push(nestedAsserts(statement.node.loc?.start.line ?? 0));
        this.taint(new Set([...this.handedOn(statement.node, statement), ...statement.binds]));
        this.actions.push({ kind: "student" });
      } else {
        this.link(this.handedOn(statement.node, statement, false));
        this.actions.push({ kind: "teacher" });
      }
    });
    return {
      cases: this.cases.map(({ expected: _, ...plannedCase }) => plannedCase),
      probes: this.probes.map((probe) => probe.source),
      teacherSteps: this.teacherSteps(),
      studentSteps: this.studentSteps(),
      warnings,
    };
  }

  /** `f = memoize(f)`: the value reads a name no earlier statement bound (the student's). */
  #readsBeforeBinding(statement: TestStatement, boundBefore: Set<string>): boolean {
    const values: ESTree.Node[] = [];
    const node = statement.node;
    if (node.type === "VariableDeclaration")
      for (const declaration of node.declarations)
        if (declaration.init) values.push(declaration.init);
    if (node.type === "ExpressionStatement" && node.expression.type === "AssignmentExpression")
      values.push(node.expression.right);
    return values.some((value) =>
      [...this.#namesIn(value, statement)].some(
        (name) => !boundBefore.has(name) && !contextGlobals().has(name),
      ),
    );
  }

  /** The top-level names referred to inside a node. */
  #namesIn(node: ESTree.Node, statement: TestStatement): Set<string> {
    const [start, end] = rangeOf(node);
    const names = new Set<string>();
    for (const [offset, name] of statement.references)
      if (start <= offset && offset < end) names.add(name);
    return names;
  }

  planCase(index: number, statement: TestStatement, assertion: AssertCall): CaseInProgress {
    const node = statement.node;
    const { line } = (node.loc as ESTree.SourceLocation).start;
    const plannedCase: CaseInProgress = {
      statement: index,
      line,
      source: this.#text(node),
      method: assertion.method,
      args: [],
      message: null,
      expected: [],
    };
    const { method, args } = assertion;
    const split = (argument: ESTree.Node) => this.split(argument, index, statement, plannedCase);
    let messageArgument: ESTree.Node | undefined;
    if (method === "throws") {
      const [fn, matcher, message] = args;
      if (fn) plannedCase.args.push(this.#thrownOperand(fn, index, statement, plannedCase));
      if (matcher && isTextLiteral(matcher)) messageArgument = matcher;
      else {
        if (matcher) {
          if (this.touchesStudent(this.#namesIn(matcher, statement)))
            throw new PlanningError(
              `${graderText("grading_testing_code_invalid")} ${graderText("grading_throws_depends_on_answer", { line })}`,
            );
          plannedCase.args.push([
            "e",
            this.addExpected(matcher, index, statement, plannedCase, "c"),
          ]);
        }
        messageArgument = message;
      }
    } else {
      const arity = method === "ok" ? 1 : 2;
      plannedCase.args = args.slice(0, arity).map(split);
      messageArgument = args[arity];
    }
    if (messageArgument)
      plannedCase.message = this.planMessage(messageArgument, index, statement, plannedCase);
    this.cases.push(plannedCase);
    return plannedCase;
  }

  #thrownOperand(
    fn: ESTree.Node,
    index: number,
    statement: TestStatement,
    plannedCase: CaseInProgress,
  ): JudgeNode {
    if (this.touchesStudent(this.#namesIn(fn, statement)))
      return ["p", this.addProbe(fn, index, statement, "t")];
    return ["e", this.addExpected(fn, index, statement, plannedCase, "t")];
  }

  /** A message as parts: text computed by the teacher-only run, and the text of the answer's values
   * in a template literal, reported by the student's run. The message's own text never goes
   * there. Any other message that uses the answer's names is not shown. */
  planMessage(
    message: ESTree.Node,
    index: number,
    statement: TestStatement,
    plannedCase: CaseInProgress,
  ): MessagePart[] | null {
    if (!this.touchesStudent(this.#namesIn(message, statement)))
      return [{ expected: this.addExpected(message, index, statement, plannedCase, "s") }];
    if (message.type !== "TemplateLiteral") return null;
    const parts: MessagePart[] = [];
    message.quasis.forEach((quasi, position) => {
      if (quasi.value.cooked) parts.push({ text: quasi.value.cooked });
      const expression = message.expressions[position];
      if (!expression) return;
      if (this.touchesStudent(this.#namesIn(expression, statement)))
        parts.push({ probe: this.addProbe(expression, index, statement, "s") });
      else
        parts.push({ expected: this.addExpected(expression, index, statement, plannedCase, "s") });
    });
    return parts;
  }

  split(
    node: ESTree.Node,
    index: number,
    statement: TestStatement,
    plannedCase: CaseInProgress,
  ): JudgeNode {
    const split = (child: ESTree.Node) => this.split(child, index, statement, plannedCase);
    if (!this.touchesStudent(this.#namesIn(node, statement)))
      return ["e", this.addExpected(node, index, statement, plannedCase, "v")];
    if (node.type === "LogicalExpression")
      return ["l", node.operator, split(node.left), split(node.right)];
    if (
      node.type === "UnaryExpression" &&
      (node.operator === "!" || node.operator === "-" || node.operator === "+")
    )
      return ["u", node.operator, split(node.argument)];
    if (
      node.type === "BinaryExpression" &&
      comparedBinary.has(node.operator) &&
      node.left.type !== "PrivateIdentifier"
    )
      return [
        "b",
        node.operator as Extract<JudgeNode, { 0: "b" }>[1],
        split(node.left),
        split(node.right),
      ];
    const global = this.#globalCall(node);
    if (global === "Math.abs" && node.type === "CallExpression" && node.arguments.length === 1)
      return ["abs", split(node.arguments[0] as ESTree.Node)];
    if (global === "Object.is" && node.type === "CallExpression" && node.arguments.length === 2)
      return [
        "is",
        split(node.arguments[0] as ESTree.Node),
        split(node.arguments[1] as ESTree.Node),
      ];
    return ["p", this.addProbe(node, index, statement, "v")];
  }

  /** "Math.abs" for a call of the global Math's abs (not spread), and so on. */
  #globalCall(node: ESTree.Node): string | undefined {
    if (
      node.type !== "CallExpression" ||
      node.arguments.some((argument) => argument.type === "SpreadElement")
    )
      return undefined;
    const callee = node.callee;
    if (
      callee.type !== "MemberExpression" ||
      callee.computed ||
      callee.object.type !== "Identifier" ||
      callee.property.type !== "Identifier"
    )
      return undefined;
    if (this.teacherNames.has(callee.object.name)) return undefined;
    return `${callee.object.name}.${callee.property.name}`;
  }

  addProbe(
    node: ESTree.Node,
    index: number,
    statement: TestStatement,
    kind: "v" | "s" | "t",
  ): number {
    const names = this.#namesIn(node, statement);
    this.probes.push({ ...this.#operand(node, index, names), kind });
    this.taint(this.handedOn(node, statement));
    return this.probes.length - 1;
  }

  addExpected(
    node: ESTree.Node,
    index: number,
    statement: TestStatement,
    plannedCase: CaseInProgress,
    kind: StepKind,
  ): number {
    this.expected.push({ ...this.#operand(node, index, this.#namesIn(node, statement)), kind });
    plannedCase.expected.push(this.expected.length - 1);
    return this.expected.length - 1;
  }

  #operand(node: ESTree.Node, statement: number, names: Set<string>): Operand {
    const { line, column } = (node.loc as ESTree.SourceLocation).start;
    const needs = new Set([...names].filter((name) => this.teacherNames.has(name)));
    return { statement, line, column, source: this.#text(node), needs };
  }

  #text(node: ESTree.Node) {
    const [start, end] = rangeOf(node);
    return this.source.slice(start, end);
  }

  #statementStep(index: number): Step {
    const { node } = this.statements[index] as TestStatement;
    const { line, column } = (node.loc as ESTree.SourceLocation).start;
    return ["x", index, line, column, this.#text(node)];
  }

  /** The teacher-only run: the untainted statements, and each case's expected operands where it stands. */
  teacherSteps(): Step[] {
    const steps: Step[] = [];
    this.actions.forEach((action, index) => {
      if (action.kind === "teacher") steps.push(this.#statementStep(index));
      if (action.kind !== "case") return;
      for (const id of action.plannedCase.expected) {
        const operand = this.expected[id] as Operand & { kind: StepKind };
        steps.push([operand.kind, id, operand.line, operand.column, operand.source]);
      }
    });
    return steps;
  }

  /** What the student's run executes: backwards from the probes and tainted statements, the
   * statements that bind or change a name they need; and the set-up statements that use no data
   * of the tests (`const N = 10`), which the answer may rely on as it could when the tests shared
   * its scope. A statement that feeds only expected values (`const expected = [...data].sort()`)
   * stays out. */
  studentSteps(): [Step, number][] {
    const expectedOnly = this.#liveBefore(this.expected);
    let live = new Set<string>();
    const steps: [Step, number][] = [];
    for (let index = this.statements.length - 1; index >= 0; index--) {
      const statement = this.statements[index] as TestStatement;
      const action = this.actions[index] as Action;
      if (action.kind === "case") {
        for (let id = this.probes.length - 1; id >= 0; id--) {
          const probe = this.probes[id] as Operand & { kind: "v" | "s" | "t" };
          if (probe.statement !== index) continue;
          steps.push([[probe.kind, id, probe.line, probe.column, probe.source], index]);
          live = union(live, probe.needs);
        }
        continue;
      }
      const targets = plainTargets(statement.node);
      const needed = action.kind === "student" || this.#changes(statement, targets, live);
      if (needed || this.#isSetup(statement, expectedOnly[index] as Set<string>)) {
        steps.push([this.#statementStep(index), index]);
        live = union(difference(live, targets ?? new Set()), this.#loads(statement, targets));
      }
    }
    return steps.reverse();
  }

  /** Whether a statement binds a live name, or may change one's object. */
  #changes(statement: TestStatement, targets: Set<string> | null, live: Set<string>) {
    if ([...statement.binds].some((name) => live.has(name))) return true;
    return (
      targets === null &&
      [...statement.mentions].some((name) => live.has(name) && this.teacherNames.has(name))
    );
  }

  /** Statements that read no name of the tests and bind none that an expected value needs. */
  #isSetup(statement: TestStatement, expectedLive: Set<string>) {
    const data = [...statement.mentions].filter(
      (name) => !statement.binds.has(name) && this.teacherNames.has(name),
    );
    return data.length === 0 && ![...statement.binds].some((name) => expectedLive.has(name));
  }

  /** For each statement, the names that later operands need (a backwards slice of the tests' own statements). */
  #liveBefore(operands: Operand[]): Set<string>[] {
    let live = new Set<string>();
    const result: Set<string>[] = [];
    for (let index = this.statements.length - 1; index >= 0; index--) {
      result[index] = new Set(live);
      const statement = this.statements[index] as TestStatement;
      const action = this.actions[index] as Action;
      if (action.kind === "case") {
        for (const operand of operands)
          if (operand.statement === index) live = union(live, operand.needs);
      } else if (action.kind === "teacher") {
        const targets = plainTargets(statement.node);
        if (this.#changes(statement, targets, live))
          live = union(difference(live, targets ?? new Set()), this.#loads(statement, targets));
      }
    }
    return result;
  }

  /** The names a statement needs bound before it: all it mentions but what it only assigns. */
  #loads(statement: TestStatement, targets: Set<string> | null): Set<string> {
    const onlyAssigned = difference(targets ?? new Set(), statement.reads);
    return new Set(
      [...statement.mentions].filter(
        (name) => !onlyAssigned.has(name) && this.teacherNames.has(name),
      ),
    );
  }
}

const isTextLiteral = (node: ESTree.Node) =>
  (node.type === "Literal" && typeof node.value === "string") || node.type === "TemplateLiteral";

const union = (a: Set<string>, b: Set<string>) => new Set([...a, ...b]);
const difference = (a: Set<string>, b: Set<string>) =>
  new Set([...a].filter((name) => !b.has(name)));
