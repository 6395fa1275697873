import { and, gt, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** A keyset page of a list ordered by id: the items after `afterId`, at most `limit` of them. */
export interface Page {
  afterId?: number;
  limit?: number;
}

/** One page of items and, when more follow it, the id to continue after. */
export interface PageOf<T> {
  items: T[];
  nextAfterId: number | undefined;
}

/** `where` narrowed to the ids after the page's start. */
export function startingAfter(where: SQL | undefined, id: SQLiteColumn, page: Page) {
  return page.afterId === undefined ? where : and(where, gt(id, page.afterId));
}

/**
 * The LIMIT of a page's query: one more row than the page holds, to tell whether more follow;
 * -1 (SQLite: no limit) for the whole rest of the list.
 */
export const rowsToRead = (page: Page) => (page.limit === undefined ? -1 : page.limit + 1);

/** Cuts rows read with `rowsToRead` down to the page. */
export function pageOf<T extends { id: number }>(rows: T[], page: Page): PageOf<T> {
  if (page.limit === undefined || rows.length <= page.limit)
    return { items: rows, nextAfterId: undefined };
  const items = rows.slice(0, page.limit);
  return { items, nextAfterId: items.at(-1)?.id };
}
