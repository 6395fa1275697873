import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";

/** Swagger UI's files, served under `docsAssetsPath` (by the Worker's static assets on Workers). */
export const docsAssetTypes: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

export const docsAssetsPath = "/api/schema/swagger-ui/assets";

const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>TestIT API</title>
  <link rel="icon" type="image/png" href="${docsAssetsPath}/favicon-32x32.png">
  <link rel="stylesheet" href="${docsAssetsPath}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${docsAssetsPath}/swagger-ui-bundle.js"></script>
  <script src="${docsAssetsPath}/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/api/schema/json/",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
    });
  </script>
</body>
</html>`;

type JsonSchema = {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  items?: unknown;
  anyOf?: JsonSchema[];
};
type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

function isScalar(schema: JsonSchema): boolean {
  if (schema.anyOf) return schema.anyOf.every(isScalar);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return (
    !schema.$ref &&
    !schema.properties &&
    !schema.items &&
    !types.some((t) => t === "object" || t === "array")
  );
}

/** Flat JSON bodies are also accepted as forms (see `acceptBody`): say so in the document. */
function documentFormBodies(document: OpenApiDocument): OpenApiDocument {
  const schemas = (document.components?.schemas ?? {}) as Record<string, JsonSchema>;
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem ?? {})) {
      const content = (
        operation as { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }
      ).requestBody?.content;
      const ref = content?.["application/json"]?.schema?.$ref;
      const component = ref ? schemas[ref.split("/").at(-1) ?? ""] : undefined;
      if (!content || !ref || !component?.properties) continue;
      if (!Object.values(component.properties).every(isScalar)) continue;
      content["application/x-www-form-urlencoded"] = { schema: { $ref: ref } };
      content["multipart/form-data"] = { schema: { $ref: ref } };
    }
  }
  return document;
}

/** The OpenAPI document of `api` and an interactive page that needs no internet access. */
export function createDocsRouter(api: OpenAPIHono<AppEnv>) {
  let document: unknown;
  const openApiDocument = () => {
    document ??= documentFormBodies(
      api.getOpenAPI31Document({
        openapi: "3.1.0",
        info: {
          title: "TestIT API",
          version: "1.0.0",
          description:
            "Online tests for schools and courses: teachers build tests, students take them, answers are scored at once.",
        },
      }),
    );
    return document;
  };

  return new Hono<AppEnv>()
    .get("/api/schema/json/", (c) => c.json(openApiDocument()))
    .get("/api/schema/", (c) => c.json(openApiDocument()))
    .get("/api/schema/swagger-ui/", (c) => c.html(docsPage))
    .get("/docs", (c) => c.html(docsPage))
    .get(`${docsAssetsPath}/:file`, async (c) => {
      const file = c.req.param("file");
      const type = docsAssetTypes[file];
      const body = type ? await c.var.deps.docsAssets?.(file) : undefined;
      if (!type || !body) throw notFound();
      return c.body(body as Uint8Array<ArrayBuffer>, 200, {
        "Content-Type": type,
        "Cache-Control": "public, max-age=86400",
      });
    });
}
