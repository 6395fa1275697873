// Requests go straight to the Worker (`worker.app.request`), not through the typed client: the
// Swagger UI page, its assets and the OpenAPI document (not in the app's type).
import { describe, expect, it } from "vitest";
import { worker } from "./worker-app";

describe("the docs page on the Worker", () => {
  it("serves the page, and every script and stylesheet it loads", async () => {
    const page = await worker.app.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    const urls = [...html.matchAll(/<(?:script src|link rel="stylesheet" href)="([^"]+)"/g)].map(
      (match) => match[1] as string,
    );
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      const asset = await worker.app.request(url);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get("content-type"), url).toMatch(/javascript|css/);
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(1000);
    }
  });

  it("serves the OpenAPI document the page renders", async () => {
    const response = await worker.app.request("/api/schema/json/");
    expect(response.status).toBe(200);
    expect((await response.json()).openapi).toBe("3.1.0");
  });
});
