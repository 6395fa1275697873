import type { Queryable } from "../client";
import { loadTestTree, type TestRow, type TestTree } from "./tests";

/**
 * Questions, variants and groups of the tests students are taking, kept per process and keyed by
 * the test's revision (bumped in the same transaction as any change to them), so a test opened by
 * a whole class costs one query for its row instead of four.
 */
export class TestTreeCache {
  readonly #entries = new Map<number, { revision: number; tree: Omit<TestTree, keyof TestRow> }>();

  constructor(private readonly maxTests = 256) {}

  async load(db: Queryable, test: TestRow): Promise<TestTree> {
    const cached = this.#entries.get(test.id);
    if (cached && cached.revision === test.revision) return { ...test, ...cached.tree };
    const tree = await loadTestTree(db, test);
    this.#entries.delete(test.id);
    if (this.#entries.size >= this.maxTests)
      this.#entries.delete(this.#entries.keys().next().value as number);
    this.#entries.set(test.id, {
      revision: test.revision,
      tree: { questions: tree.questions, availableFor: tree.availableFor },
    });
    return tree;
  }
}
