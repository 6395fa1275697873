export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const severity: Record<LogLevel | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

/** One JSON object per line, for log collectors; `write` defaults to stdout. */
export function createJsonLogger(
  minimumLevel: LogLevel | "silent",
  write: (line: string) => void = (line) => console.log(line),
  now: () => number = Date.now,
): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (severity[level] < severity[minimumLevel]) return;
      write(JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...fields }));
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
