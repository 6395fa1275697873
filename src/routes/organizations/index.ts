import { createRouter } from "../../http/router";
import * as handlers from "./organizations.handlers";
import * as routes from "./organizations.routes";

export const organizationsRouter = createRouter()
  .openapi(routes.listOrganizations, handlers.list)
  .openapi(routes.createOrganization, handlers.create);
