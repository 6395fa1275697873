/**
 * An .xlsx workbook written as a stream, the same in Node and in Workers: rows are
 * pulled as the file is written, so memory holds a page of rows and a compressor's buffer,
 * however many rows there are. Strings are inline (no shared-strings table to keep), dates
 * real Excel dates (UTC), the header bold, frozen and filtered.
 */
import type { ExportCell } from "../domain/export";
import { type ZipEntry, zipStream } from "./zip-stream";

export interface SheetSpec {
  sheetName: string;
  headers: string[];
  widths: number[];
  /** Rows are pulled as the file is written, so only a page of them is in memory at a time. */
  rows: AsyncIterable<ExportCell[]>;
  /** Index of the column holding dates, if any. */
  dateColumn?: number;
  /** How many columns, from the first, the header's auto-filter covers (all by default). */
  filterColumns?: number;
}

export const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const xmlHeader = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const packageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships";

/** Style ids in styles.xml: 0 plain, 1 bold (header), 2 date and time. */
const boldStyle = 1;
const dateStyle = 2;

/** Text as XML character data: escaped, and without the characters XML 1.0 cannot hold. */
function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A column's letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = "";
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26))
    name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  return name;
}

/** Days since 1899-12-30, Excel's dates (the time of day as the fraction), in UTC. */
function excelDate(date: Date): number {
  return date.getTime() / 86_400_000 + 25_569;
}

function cellXml(value: ExportCell, reference: string, style?: number): string {
  if (value === null) return "";
  const styled = style === undefined ? "" : ` s="${style}"`;
  if (typeof value === "number")
    return `<c r="${reference}"${styled}><v>${Number.isFinite(value) ? value : 0}</v></c>`;
  if (value instanceof Date)
    return `<c r="${reference}" s="${dateStyle}"><v>${excelDate(value)}</v></c>`;
  return `<c r="${reference}"${styled} t="inlineStr"><is><t xml:space="preserve">${xmlText(value)}</t></is></c>`;
}

function rowXml(cells: ExportCell[], rowNumber: number, style?: number): string {
  const rowStyle = style === undefined ? "" : ` s="${style}" customFormat="1"`;
  const body = cells
    .map((value, index) => cellXml(value, `${columnName(index)}${rowNumber}`, style))
    .join("");
  return `<row r="${rowNumber}"${rowStyle}>${body}</row>`;
}

/** The last column the header's auto-filter covers. */
const lastFilteredColumn = (spec: SheetSpec) =>
  columnName(Math.max(spec.filterColumns ?? spec.headers.length, 1) - 1);

/** The worksheet: its layout, then the rows as they come, 64 KiB or so of XML at a time. */
async function* sheetXml(spec: SheetSpec): AsyncGenerator<string> {
  const lastColumn = lastFilteredColumn(spec);
  const columns = spec.headers
    .map((_, index) => {
      const style = index === spec.dateColumn ? ` style="${dateStyle}"` : "";
      const width = spec.widths[index] ?? 12;
      return `<col min="${index + 1}" max="${index + 1}" width="${width}" customWidth="1"${style}/>`;
    })
    .join("");
  yield `${xmlHeader}<worksheet xmlns="${mainNamespace}" xmlns:r="${relationshipNamespace}">` +
    '<sheetViews><sheetView workbookViewId="0">' +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/>${columns === "" ? "" : `<cols>${columns}</cols>`}` +
    `<sheetData>${rowXml(spec.headers, 1, boldStyle)}`;
  let pending = "";
  let rowNumber = 1;
  for await (const row of spec.rows) {
    pending += rowXml(row, ++rowNumber);
    if (pending.length >= 65_536) {
      yield pending;
      pending = "";
    }
  }
  yield `${pending}</sheetData><autoFilter ref="A1:${lastColumn}1"/></worksheet>`;
}

async function* encoded(parts: AsyncIterable<string> | Iterable<string>) {
  const encoder = new TextEncoder();
  for await (const part of parts) yield encoder.encode(part);
}

/** The workbook's list of sheets and each one's auto-filter range. */
function workbookXml(specs: SheetSpec[]): string {
  const sheets = specs
    .map(
      (spec, index) =>
        `<sheet name="${xmlText(spec.sheetName)}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`,
    )
    .join("");
  const filters = specs
    .map((spec, index) => {
      const quotedName = `'${spec.sheetName.replace(/'/g, "''")}'`;
      const range = `${quotedName}!$A$1:$${lastFilteredColumn(spec)}$1`;
      return `<definedName name="_xlnm._FilterDatabase" localSheetId="${index}" hidden="1">${xmlText(range)}</definedName>`;
    })
    .join("");
  return (
    `<workbook xmlns="${mainNamespace}" xmlns:r="${relationshipNamespace}">` +
    `<sheets>${sheets}</sheets><definedNames>${filters}</definedNames></workbook>`
  );
}

function workbookEntries(specs: SheetSpec[]): ZipEntry[] {
  const sheetPath = (index: number) => `worksheets/sheet${index + 1}.xml`;
  const part = (name: string, xml: string): ZipEntry => ({
    name,
    content: encoded([`${xmlHeader}${xml}`]),
  });
  const type = (kind: string) => `application/vnd.openxmlformats-officedocument.${kind}+xml`;
  return [
    part(
      "[Content_Types].xml",
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        `<Override PartName="/xl/workbook.xml" ContentType="${type("spreadsheetml.sheet.main")}"/>` +
        specs
          .map(
            (_, index) =>
              `<Override PartName="/xl/${sheetPath(index)}" ContentType="${type("spreadsheetml.worksheet")}"/>`,
          )
          .join("") +
        `<Override PartName="/xl/styles.xml" ContentType="${type("spreadsheetml.styles")}"/>` +
        "</Types>",
    ),
    part(
      "_rels/.rels",
      `<Relationships xmlns="${packageRelationships}">` +
        `<Relationship Id="rId1" Type="${relationshipNamespace}/officeDocument" Target="xl/workbook.xml"/>` +
        "</Relationships>",
    ),
    part("xl/workbook.xml", workbookXml(specs)),
    part(
      "xl/_rels/workbook.xml.rels",
      `<Relationships xmlns="${packageRelationships}">` +
        specs
          .map(
            (_, index) =>
              `<Relationship Id="rId${index + 1}" Type="${relationshipNamespace}/worksheet" Target="${sheetPath(index)}"/>`,
          )
          .join("") +
        `<Relationship Id="rId${specs.length + 1}" Type="${relationshipNamespace}/styles" Target="styles.xml"/>` +
        "</Relationships>",
    ),
    part(
      "xl/styles.xml",
      `<styleSheet xmlns="${mainNamespace}">` +
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>' +
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
        '<fills count="2"><fill><patternFill patternType="none"/></fill>' +
        '<fill><patternFill patternType="gray125"/></fill></fills>' +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
        "</cellXfs>" +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
        "</styleSheet>",
    ),
    ...specs.map((spec, index) => ({
      name: `xl/${sheetPath(index)}`,
      content: encoded(sheetXml(spec)),
    })),
  ];
}

/**
 * The workbook of the sheets, in order, as a byte stream that is written as it is read
 * (backpressure reaches the rows' source; a sheet's rows are pulled only once the one before it
 * is written). A failure midway is reported to `onError` and ends the stream with an error.
 */
export function streamWorkbook(
  specs: SheetSpec[],
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const chunks = zipStream(workbookEntries(specs));
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          onError(error);
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 4 },
  );
}
