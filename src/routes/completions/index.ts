import { createRouter } from "../../http/router";
import * as handlers from "./completions.handlers";
import * as routes from "./completions.routes";

export const completionsRouter = createRouter()
  .openapi(routes.createCompletion, handlers.createCompletion)
  .openapi(routes.getCompletion, handlers.getCompletion)
  .openapi(routes.getCompletionWithCorrectness, handlers.getCompletionWithCorrectness)
  .openapi(routes.listTestCompletions, handlers.listTestCompletions)
  .openapi(routes.exportTestCompletions, handlers.exportTestCompletions)
  .openapi(routes.listMyCompletionsOfTest, handlers.listMyCompletionsOfTest)
  .openapi(routes.listMyCompletions, handlers.listMyCompletions);
