import { createRouter } from "../../http/router";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

// `/api/users/me` is registered before `/api/users/{id}/` so that "me" is never read as an id.
export const usersRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.listUsers, handlers.listUsers)
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.updateMe, handlers.putMe)
  .openapi(routes.patchMe, handlers.patchMe)
  .openapi(routes.getUser, handlers.getUser)
  .openapi(routes.setRole, handlers.setRole);
