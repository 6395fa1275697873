import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configVariableNames, parseConfig } from "../src/config";

/** `NAME=value` lines, and `# NAME=` lines for variables without a literal default. */
function envExample() {
  const set = new Map<string, string>();
  const unset: string[] = [];
  for (const line of readFileSync(".env.example", "utf8").split("\n")) {
    const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assignment) set.set(assignment[1] as string, assignment[2] as string);
    const commented = /^# ([A-Z][A-Z0-9_]*)=$/.exec(line);
    if (commented) unset.push(commented[1] as string);
  }
  return { set, unset };
}

/** The README's configuration table: variable → its Default cell. */
function readmeTable(): Map<string, string> {
  const rows = readFileSync("README.md", "utf8").matchAll(
    /^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm,
  );
  return new Map([...rows].map((row) => [row[1] as string, (row[2] as string).trim()]));
}

describe(".env.example", () => {
  it("lists each variable of the configuration, of the README's table, once", () => {
    const { set, unset } = envExample();
    const listed = [...set.keys(), ...unset];
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.sort()).toEqual([...configVariableNames].sort());
    expect([...readmeTable().keys()].sort()).toEqual([...configVariableNames].sort());
  });

  it("gives each the README's default: a value where it is literal, commented out where not", () => {
    const { set, unset } = envExample();
    for (const [name, documented] of readmeTable()) {
      const literal = /^`(.*)`$/.exec(documented);
      if (literal) expect(set.get(name), name).toBe(literal[1]);
      else expect(unset, name).toContain(name);
    }
  });

  it("configures exactly what no configuration does", () => {
    expect(parseConfig(Object.fromEntries(envExample().set))).toEqual(parseConfig({}));
  });
});
