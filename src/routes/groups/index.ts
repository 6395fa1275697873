import { createRouter } from "../../http/router";
import * as handlers from "./groups.handlers";
import * as routes from "./groups.routes";

export const groupsRouter = createRouter()
  .openapi(routes.listGroups, handlers.listGroups)
  .openapi(routes.createGroup, handlers.createGroup)
  .openapi(routes.getGroup, handlers.getGroup)
  .openapi(routes.deleteGroup, handlers.deleteGroup)
  .openapi(routes.addUser, handlers.addUser)
  .openapi(routes.removeUser, handlers.removeUser);
