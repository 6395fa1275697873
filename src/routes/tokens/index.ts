import { createRouter } from "../../http/router";
import * as handlers from "./tokens.handlers";
import * as routes from "./tokens.routes";

export const tokensRouter = createRouter()
  .openapi(routes.obtainToken, handlers.obtainToken)
  .openapi(routes.refreshToken, handlers.refreshToken);
