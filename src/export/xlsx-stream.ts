import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import type { ExportCell } from "../domain/export";

export interface SheetSpec {
  sheetName: string;
  headers: string[];
  widths: number[];
  /** Rows are pulled as the file is written, so only a page of them is in memory at a time. */
  rows: AsyncIterable<ExportCell[]>;
  /** Index of the column holding dates. */
  dateColumn: number;
}

export const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

type Sheet = Pick<ExcelJS.Worksheet, "columns" | "getRow" | "autoFilter" | "addRow">;

/** Bold frozen header, auto-filter, sensible widths, UTC dates as real dates. */
function layOut(sheet: Sheet, spec: SheetSpec) {
  sheet.columns = spec.headers.map((header, index) => ({
    header,
    width: spec.widths[index] ?? 12,
    ...(index === spec.dateColumn ? { style: { numFmt: "yyyy-mm-dd hh:mm:ss" } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: spec.headers.length } };
}

const sheetOptions = { views: [{ state: "frozen" as const, ySplit: 1 }] };

/**
 * Writes one sheet as an .xlsx stream, committing each row as soon as it is written, so memory
 * stays flat however many rows come (Node's exceljs build).
 */
function streamWithWriter(
  spec: SheetSpec,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(spec.sheetName, sheetOptions);
  layOut(sheet, spec);
  const write = async () => {
    sheet.getRow(1).commit();
    for await (const row of spec.rows) sheet.addRow(row).commit();
    sheet.commit();
    await workbook.commit();
  };
  let cancelled = false;
  write().catch((error: unknown) => {
    if (cancelled) return;
    onError(error);
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return webStreamOf(output, () => {
    cancelled = true;
  });
}

/**
 * A web stream over a Node stream, with backpressure, that survives the client going away
 * (Node 20's Readable.toWeb throws "Controller is already closed" then, killing the process).
 */
function webStreamOf(source: PassThrough, onCancel: () => void): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.once("end", () => {
        if (open) controller.close();
        open = false;
      });
      source.once("error", (error) => {
        if (open) controller.error(error);
        open = false;
      });
    },
    pull() {
      source.resume();
    },
    cancel() {
      open = false;
      onCancel();
      source.destroy();
    },
  });
}

/**
 * The same sheet built in memory, then sent: exceljs's browser build (the one bundled for
 * Workers) has no streaming writer.
 */
function buildInMemory(
  spec: SheetSpec,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(controller) {
      try {
        const workbook = new ExcelJS.Workbook();
        const sheet = workbook.addWorksheet(spec.sheetName, sheetOptions);
        layOut(sheet, spec);
        for await (const row of spec.rows) sheet.addRow(row);
        controller.enqueue(new Uint8Array(await workbook.xlsx.writeBuffer()));
        controller.close();
      } catch (error) {
        onError(error);
        controller.error(error);
      }
    },
  });
}

export function streamSheet(
  spec: SheetSpec,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  return ExcelJS.stream?.xlsx?.WorkbookWriter
    ? streamWithWriter(spec, onError)
    : buildInMemory(spec, onError);
}
