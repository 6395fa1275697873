import { SaxesParser } from "saxes";
import { expect } from "vitest";
import { textWidth } from "../../src/export/svg-text";

export interface SvgElement {
  name: string;
  attributes: Record<string, string>;
  /** The element's own character data (entities decoded). */
  text: string;
}

/** Parses an SVG document strictly (any well-formedness error throws) into its elements. */
export function parseSvg(source: string): SvgElement[] {
  const parser = new SaxesParser({ xmlns: true });
  const elements: SvgElement[] = [];
  const open: SvgElement[] = [];
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    const attributes = Object.fromEntries(
      Object.values(tag.attributes).map((attribute) => [attribute.name, attribute.value]),
    );
    const element = { name: tag.name, attributes, text: "" };
    elements.push(element);
    open.push(element);
  });
  parser.on("text", (text) => {
    const current = open.at(-1);
    if (current) current.text += text;
  });
  parser.on("closetag", () => {
    open.pop();
  });
  parser.write(source).close();
  return elements;
}

/** Elements a static chart needs; anything else (script, foreignObject, a, image, use, style…) is a defect. */
const allowedElements = new Set(["svg", "title", "desc", "rect", "line", "text", "g"]);

/** No active content and no reference to anything outside the document. */
export function expectInertSvg(elements: SvgElement[]) {
  expect(elements[0]?.name).toBe("svg");
  expect(elements[0]?.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
  for (const element of elements) {
    expect(allowedElements.has(element.name), `<${element.name}>`).toBe(true);
    for (const [name, value] of Object.entries(element.attributes)) {
      if (name === "xmlns") continue;
      expect(name.toLowerCase().startsWith("on"), `${element.name}@${name}`).toBe(false);
      expect(name.toLowerCase(), `${element.name}@${name}`).not.toMatch(/href|src|style/);
      expect(value, `${element.name}@${name}`).not.toMatch(/url\(|javascript:|data:|:\/\//i);
    }
  }
}

/** The extent of a label, by the chart's own estimate of text widths. */
function textBox(element: SvgElement) {
  const size = Number(element.attributes["font-size"]);
  const x = Number(element.attributes.x);
  const y = Number(element.attributes.y);
  const width = textWidth(element.text, size);
  const anchor = element.attributes["text-anchor"] ?? "start";
  const left = anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
  return { left, right: left + width, top: y - size, bottom: y + size * 0.25 };
}

/** No two horizontal labels overlap, and every one is inside the image. */
export function expectLabelsApart(elements: SvgElement[], width: number) {
  const boxes = elements
    .filter((element) => element.name === "text" && !element.attributes.transform)
    .map((element) => ({ text: element.text, ...textBox(element) }));
  for (const [i, a] of boxes.entries()) {
    expect(a.left, a.text).toBeGreaterThanOrEqual(0);
    expect(a.right, a.text).toBeLessThanOrEqual(width);
    for (const b of boxes.slice(i + 1)) {
      const apart =
        a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
      expect(apart, `"${a.text}" and "${b.text}" overlap`).toBe(true);
    }
  }
}
