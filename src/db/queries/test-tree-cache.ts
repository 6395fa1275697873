import type { TestRow, TestTree, TestTreeRows, TestVersion } from "./tests";
import { testTreeFromRows } from "./tests";

type CachedTree = TestVersion & { tree: Omit<TestTree, keyof TestRow> };

/**
 * Questions, variants and groups of the tests students are taking, kept per process (per isolate
 * on Workers) by public link and checked against the test's revision (bumped in the same
 * transaction as any change to them), so a test opened by a whole class is read once; after that
 * opening it reads only the test's row (see `testByLinkQueries`).
 */
export class TestTreeCache {
  readonly #entries = new Map<string, CachedTree>();

  constructor(private readonly maxTests = 256) {}

  /** The version cached for a link, to leave out of the next read while it is current. */
  versionOf(publicUuid: string): CachedTree | undefined {
    return this.#entries.get(publicUuid);
  }

  /**
   * The test's tree: `known` (what `versionOf` gave when the rows were read) if the test is still
   * that version, else the rows just read, which are remembered.
   */
  treeOf(
    publicUuid: string,
    test: TestRow,
    known: CachedTree | undefined,
    rows: TestTreeRows,
  ): TestTree {
    if (known && known.testId === test.id && known.revision === test.revision)
      return { ...test, ...known.tree };
    const tree = testTreeFromRows(test, rows);
    this.#entries.delete(publicUuid);
    if (this.#entries.size >= this.maxTests)
      this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(publicUuid, {
      testId: test.id,
      revision: test.revision,
      tree: { questions: tree.questions, availableFor: tree.availableFor },
    });
    return tree;
  }
}
