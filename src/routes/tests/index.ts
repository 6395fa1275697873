import { createRouter } from "../../http/router";
import * as statisticsHandlers from "./statistics.handlers";
import * as statisticsRoutes from "./statistics.routes";
import * as handlers from "./tests.handlers";
import * as routes from "./tests.routes";

export const testsRouter = createRouter()
  .openapi(routes.listTests, handlers.listTests)
  .openapi(routes.createTest, handlers.createTest)
  .openapi(routes.getTest, handlers.getTest)
  .openapi(routes.updateTest, handlers.updateTest)
  .openapi(routes.deleteTest, handlers.deleteTest)
  .openapi(routes.allowForGroup, handlers.allowForGroup)
  .openapi(routes.disallowForGroup, handlers.disallowForGroup)
  .openapi(routes.regenerateUuid, handlers.regenerateUuid)
  .openapi(routes.getPublicTest, handlers.getPublicTest)
  .openapi(statisticsRoutes.getTestStatistics, statisticsHandlers.getTestStatistics)
  .openapi(
    statisticsRoutes.getTestStatisticsHistogram,
    statisticsHandlers.getTestStatisticsHistogram,
  )
  .openapi(routes.startAttempt, handlers.startAttempt);
