/**
 * The top-level statements of JavaScript tests, as the planner needs them: parsed by acorn (none
 * of the tests' code runs), in the order they run (function declarations hoisted, as JavaScript
 * does), each with the top-level names it mentions, reads and binds (eslint-scope resolves every
 * identifier); and which of them are assert calls, the cases.
 */

import * as vm from "node:vm";
import { parse } from "acorn";
import { analyze, type Scope } from "eslint-scope";
import type * as ESTree from "estree";
import { graderText } from "../../../i18n/grader-text";
import type { AssertMethod } from "./plan";

export class PlanningError extends Error {}

const invalid = graderText("grading_testing_code_invalid");

export interface TestStatement {
  node: ESTree.Statement | ESTree.ModuleDeclaration | ESTree.Directive;
  /** Names it mentions at the top level (reads or writes), and those it binds there. */
  mentions: Set<string>;
  binds: Set<string>;
  reads: Set<string>;
  /** Offsets of identifiers in it that refer to top-level names. */
  references: Map<number, string>;
}

export const rangeOf = (node: ESTree.Node) => node.range as [number, number];

let globals: Set<string> | undefined;
/** The names a fresh context defines: the language's built-ins, plus the harness's console and assert. */
export function contextGlobals(): Set<string> {
  globals ??= new Set([
    ...(vm.runInContext(
      "Object.getOwnPropertyNames(globalThis)",
      vm.createContext(vm.constants.DONT_CONTEXTIFY),
    ) as string[]),
    "console",
    "assert",
    "globalThis",
  ]);
  return globals;
}

/** The tests' top-level statements in the order they run, or a PlanningError when they don't parse. */
export function readStatements(source: string): TestStatement[] {
  let program: ESTree.Program;
  try {
    program = parse(source, {
      ecmaVersion: "latest",
      sourceType: "script",
      locations: true,
      ranges: true,
    }) as unknown as ESTree.Program;
  } catch (error) {
    if (error instanceof RangeError)
      throw new PlanningError(graderText("grading_nested_too_deeply"));
    throw new PlanningError(`${invalid} SyntaxError: ${(error as Error).message}`);
  }
  const hoisted = [
    ...program.body.filter((node) => node.type === "FunctionDeclaration"),
    ...program.body.filter((node) => node.type !== "FunctionDeclaration"),
  ];
  return withNames(program, hoisted);
}

/** Each statement with the top-level names it mentions, reads and binds. */
function withNames(program: ESTree.Program, nodes: ESTree.Program["body"]): TestStatement[] {
  const manager = analyze(program, { ecmaVersion: 2022, sourceType: "script" });
  const global = manager.globalScope as Scope;
  const statements: TestStatement[] = nodes.map((node) => ({
    node,
    mentions: new Set(),
    binds: new Set(),
    reads: new Set(),
    references: new Map(),
  }));
  const bySource = [...statements].sort((a, b) => rangeOf(a.node)[0] - rangeOf(b.node)[0]);
  /** The statement an offset of the source belongs to (a binary search). */
  const owner = (offset: number) => {
    let [low, high] = [0, bySource.length - 1];
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [start, end] = rangeOf((bySource[middle] as TestStatement).node);
      if (offset < start) high = middle - 1;
      else if (offset >= end) low = middle + 1;
      else return bySource[middle];
    }
    return undefined;
  };
  for (const variable of global.variables)
    for (const definition of variable.defs) {
      const statement = owner(rangeOf(definition.name)[0]);
      statement?.binds.add(variable.name);
      statement?.mentions.add(variable.name);
    }
  for (const scope of manager.scopes)
    for (const reference of scope.references) {
      if (reference.resolved && reference.resolved.scope !== global) continue;
      const identifier = reference.identifier as ESTree.Identifier;
      const statement = owner(rangeOf(identifier)[0]);
      if (!statement) continue;
      statement.mentions.add(identifier.name);
      statement.references.set(rangeOf(identifier)[0], identifier.name);
      if (reference.isWrite()) statement.binds.add(identifier.name);
      if (reference.isRead()) statement.reads.add(identifier.name);
    }
  return statements;
}

const methods = new Set<string>([
  "ok",
  "equal",
  "notEqual",
  "strictEqual",
  "notStrictEqual",
  "deepStrictEqual",
  "throws",
]);

export interface AssertCall {
  method: AssertMethod;
  args: ESTree.Node[];
}

/** `assert(...)` or `assert.<method>(...)` as a whole top-level statement: a case. */
export function assertCall(node: TestStatement["node"]): AssertCall | undefined {
  if (node.type !== "ExpressionStatement" || node.expression.type !== "CallExpression")
    return undefined;
  const { callee, arguments: args, optional } = node.expression;
  let method: string | undefined;
  if (callee.type === "Identifier" && callee.name === "assert") method = "ok";
  else if (
    callee.type === "MemberExpression" &&
    !callee.computed &&
    callee.object.type === "Identifier" &&
    callee.object.name === "assert" &&
    callee.property.type === "Identifier"
  )
    method = callee.property.name;
  if (method === undefined || !methods.has(method)) return undefined;
  const line = node.loc?.start.line ?? 0;
  if (optional || args.some((argument) => argument.type === "SpreadElement"))
    throw new PlanningError(`${invalid} ${graderText("grading_spread_arguments", { line })}`);
  if (args.length < (method === "ok" || method === "throws" ? 1 : 2))
    throw new PlanningError(
      `${invalid} ${graderText("grading_missing_arguments", { line, method })}`,
    );
  return { method: method as AssertMethod, args: args as ESTree.Node[] };
}

/** Names a statement rebinds for sure (so earlier values of them are dead), or null if unknown. */
export function plainTargets(node: TestStatement["node"]): Set<string> | null {
  if (node.type === "VariableDeclaration") {
    const names = new Set<string>();
    for (const declaration of node.declarations) {
      if (declaration.id.type !== "Identifier") return null;
      if (declaration.init || node.kind !== "var") names.add(declaration.id.name);
    }
    return names;
  }
  if (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration")
    return new Set(node.id ? [node.id.name] : []);
  if (node.type === "ExpressionStatement" && node.expression.type === "AssignmentExpression") {
    const { left, operator } = node.expression;
    if (left.type !== "Identifier") return null;
    return operator === "=" ? new Set([left.name]) : new Set();
  }
  return null;
}

/** The child nodes of an ESTree node. */
export function children(node: ESTree.Node): ESTree.Node[] {
  const found: ESTree.Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "loc" || key === "range") continue;
    for (const item of Array.isArray(value) ? value : [value])
      if (item && typeof item === "object" && typeof (item as { type?: unknown }).type === "string")
        found.push(item as ESTree.Node);
  }
  return found;
}
