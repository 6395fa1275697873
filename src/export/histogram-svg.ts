/**
 * The score histogram of a test as a standalone SVG image for reports: title, summary, labelled
 * axes, bin edges and counts on the bars. Text only ever enters as escaped character data; the
 * image has no scripts, links, styles, fonts or images of its own.
 */
import type { AttemptsMode, HistogramBin, TestStatistics } from "../domain/statistics";
import type { Language } from "../http/accept-language";
import { histogramLabels as labels } from "./histogram-labels";
import { escapeXml, textWidth, wrapTitle } from "./svg-text";

const width = 800;
const height = 520;
const margin = { left: 100, right: 40 };
const titleSize = 20;
const font = "DejaVu Sans, Verdana, Arial, sans-serif";
const colors = {
  bar: "#4e79a7",
  axis: "#333333",
  grid: "#e3e3e3",
  muted: "#555555",
  text: "#1a1a1a",
};

/** A step of 1, 2 or 5 × 10ⁿ giving about five gridlines up to `top`. */
function gridStep(top: number): number {
  const rough = Math.max(1, top / 5);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough);
  return Math.max(1, step ?? magnitude * 10);
}

interface TextOptions {
  x: number;
  y: number;
  size: number;
  anchor?: "start" | "middle" | "end";
  fill?: string;
  bold?: boolean;
  transform?: string;
}

function text(content: string, options: TextOptions): string {
  const attributes = [
    `x="${options.x.toFixed(1)}"`,
    `y="${options.y.toFixed(1)}"`,
    `font-size="${options.size}"`,
    `text-anchor="${options.anchor ?? "start"}"`,
    `fill="${options.fill ?? colors.text}"`,
    ...(options.bold ? [`font-weight="bold"`] : []),
    ...(options.transform ? [`transform="${options.transform}"`] : []),
  ];
  return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`;
}

const line = (x1: number, y1: number, x2: number, y2: number, stroke: string) =>
  `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" stroke-width="1"/>`;

/**
 * A number formatter for labels that must fit `maxWidth` at `size`: grouped digits, or the
 * compact form ("16M") for the numbers too wide for them.
 */
function labelFormat(language: Language, size: number, maxWidth: number) {
  const full = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat(language, {
    notation: "compact",
    maximumFractionDigits: 1,
  });
  return (value: number) => {
    const text = full.format(value);
    return textWidth(text, size) <= maxWidth ? text : compact.format(value);
  };
}

export interface HistogramChart {
  testName: string;
  statistics: TestStatistics;
  attempts: AttemptsMode;
  language: Language;
}

interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
  binWidth: number;
  /** The count at the top of the plot, and the step between gridlines. */
  topCount: number;
  step: number;
}

const yOf = (plot: Plot, count: number) =>
  plot.bottom - (count / plot.topCount) * (plot.bottom - plot.top);

/** The test's name in bold (at most two lines), then the totals and the score figures. */
function header({ testName, statistics, attempts, language }: HistogramChart) {
  const words = labels[language];
  const format = labelFormat(language, 13, Number.POSITIVE_INFINITY);
  const parts: string[] = [];
  let y = 34;
  for (const titleLine of wrapTitle(testName, titleSize, width - 48)) {
    parts.push(text(titleLine, { x: 24, y, size: titleSize, bold: true }));
    y += titleSize + 6;
  }
  const totals = words.totals(format(statistics.completions), format(statistics.students));
  parts.push(
    text(`${totals} · ${words.counted[attempts]}`, {
      x: 24,
      y: y + 2,
      size: 13,
      fill: colors.muted,
    }),
  );
  const { score } = statistics;
  if (score.mean !== null && score.median !== null && score.stdev !== null) {
    const figures = words.figures({
      mean: format(score.mean),
      median: format(score.median),
      stdev: format(score.stdev),
      min: format(score.min ?? 0),
      max: format(score.max ?? 0),
    });
    parts.push(text(figures, { x: 24, y: y + 22, size: 13, fill: colors.muted }));
  }
  return { parts, bottom: y + 22 };
}

/** Horizontal gridlines with their counts, on a 1-2-5 step that ends above the highest bar. */
function grid(plot: Plot, language: Language): string[] {
  const label = labelFormat(language, 11, plot.left - 48);
  const parts: string[] = [];
  for (let tick = 0; tick <= plot.topCount; tick += plot.step) {
    const y = yOf(plot, tick);
    parts.push(line(plot.left, y, plot.right, y, colors.grid));
    parts.push(text(label(tick), { x: plot.left - 8, y: y + 4, size: 11, anchor: "end" }));
  }
  return parts;
}

/** A bar per bin with its count above it (and its range as a tooltip). */
function bars(plot: Plot, histogram: HistogramBin[], language: Language): string[] {
  const barWidth = plot.binWidth - 8;
  const count = labelFormat(language, 12, barWidth);
  const exact = labelFormat(language, 11, Number.POSITIVE_INFINITY);
  return histogram.flatMap((bin, index) => {
    const x = plot.left + index * plot.binWidth + 4;
    const top = yOf(plot, bin.count);
    const range = `${exact(bin.from)}–${exact(bin.to)}: ${exact(bin.count)}`;
    return [
      `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(plot.bottom - top).toFixed(1)}" fill="${colors.bar}"><title>${escapeXml(range)}</title></rect>`,
      text(count(bin.count), { x: x + barWidth / 2, y: top - 6, size: 12, anchor: "middle" }),
    ];
  });
}

/** The axes: score edges under the bins, both titles. */
function axes(plot: Plot, chart: HistogramChart): string[] {
  const words = labels[chart.language];
  const { histogram, max_possible } = chart.statistics.score;
  const edge = labelFormat(chart.language, 11, plot.binWidth - 6);
  const edges = [histogram[0]?.from ?? 0, ...histogram.map((bin) => bin.to)];
  const middle = (plot.top + plot.bottom) / 2;
  return [
    ...edges.flatMap((value, index) => {
      const x = plot.left + index * plot.binWidth;
      return [
        line(x, plot.bottom, x, plot.bottom + 5, colors.axis),
        text(edge(value), { x, y: plot.bottom + 19, size: 11, anchor: "middle" }),
      ];
    }),
    line(plot.left, plot.top - 8, plot.left, plot.bottom, colors.axis),
    line(plot.left, plot.bottom, plot.right, plot.bottom, colors.axis),
    text(words.scoreAxis(labelFormat(chart.language, 13, Number.POSITIVE_INFINITY)(max_possible)), {
      x: (plot.left + plot.right) / 2,
      y: plot.bottom + 48,
      size: 13,
      anchor: "middle",
    }),
    text(words.countAxis[chart.attempts], {
      x: 22,
      y: middle,
      size: 13,
      anchor: "middle",
      transform: `rotate(-90 22 ${middle.toFixed(1)})`,
    }),
  ];
}

/** The histogram of `statistics.score` as an SVG document. */
export function histogramSvg(chart: HistogramChart): string {
  const { statistics, language } = chart;
  const words = labels[language];
  const { histogram, max_possible } = statistics.score;
  const head = header(chart);
  const highest = Math.max(0, ...histogram.map((bin) => bin.count));
  const step = gridStep(highest);
  const left = margin.left;
  const right = width - margin.right;
  const plot: Plot = {
    left,
    right,
    top: head.bottom + 34,
    bottom: height - 72,
    binWidth: (right - left) / histogram.length,
    topCount: Math.max(step, Math.ceil(highest / step) * step),
    step,
  };
  const hasBars = statistics.completions > 0 && max_possible > 0;
  const message = text(statistics.completions === 0 ? words.noCompletions : words.noPoints, {
    x: (plot.left + plot.right) / 2,
    y: (plot.top + plot.bottom) / 2,
    size: 15,
    anchor: "middle",
    fill: colors.muted,
  });
  const totals = words.totals(String(statistics.completions), String(statistics.students));
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title" font-family="${font}">`,
    `<title id="chart-title">${escapeXml(`${chart.testName} — ${totals}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...head.parts,
    ...grid(plot, language),
    ...(hasBars ? bars(plot, histogram, language) : [message]),
    ...axes(plot, chart),
    "</svg>",
    "",
  ].join("\n");
}
