import type { RouteHandler } from "@hono/zod-openapi";
import { loadTestStatistics } from "../../db/queries/statistics";
import { testTreeFromRows, testWithTreeQueries } from "../../db/queries/tests";
import type { AttemptsMode } from "../../domain/statistics";
import { histogramSvg } from "../../export/histogram-svg";
import { readWithCaller } from "../../http/authentication";
import type { AppContext, AppEnv } from "../../http/context";
import type * as routes from "./statistics.routes";
import { ownTestOf } from "./tests.handlers";

/**
 * The statistics of a test the caller created (while a teacher), with the test: the caller, the
 * test and its questions in one round trip, then the statistics' pages (one for a class).
 */
export async function statisticsOfOwnTest(c: AppContext, testId: number, attempts: AttemptsMode) {
  const { store } = c.var.deps;
  const [caller, [testRows, ...treeRows]] = await readWithCaller(c, () =>
    testWithTreeQueries(store.db, testId),
  );
  const test = testTreeFromRows(ownTestOf(caller, testRows[0]), treeRows);
  return { test, statistics: await loadTestStatistics(store, test, attempts) };
}

export const getTestStatistics: RouteHandler<typeof routes.getTestStatistics, AppEnv> = async (
  c,
) => {
  const { attempts } = c.req.valid("query");
  const { statistics } = await statisticsOfOwnTest(c, c.req.valid("param").id, attempts);
  return c.json(statistics, 200);
};

export const getTestStatisticsHistogram: RouteHandler<
  typeof routes.getTestStatisticsHistogram,
  AppEnv
> = async (c) => {
  const { attempts } = c.req.valid("query");
  const { test, statistics } = await statisticsOfOwnTest(c, c.req.valid("param").id, attempts);
  const svg = histogramSvg({ testName: test.name, statistics, attempts, language: c.var.language });
  return c.body(svg, 200, {
    "Content-Type": "image/svg+xml; charset=utf-8",
    // Were anything to slip into the image, a browser opening it would still run nothing.
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
};
