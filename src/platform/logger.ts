import pino from "pino";

/**
 * Structured JSON logs (pino), one object per line on stderr. Use cases and
 * adapters see only this small interface. Secrets never reach the output:
 * `authorization` and `token` fields are replaced, mobile numbers are masked
 * to their first 3 and last 4 digits, wherever they appear in a log object.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const secretKeys = ["authorization", "token", "*.authorization", "*.token", "*.*.authorization"];
const mobileKeys = ["mobile", "*.mobile", "*.*.mobile"];

/** "13812345678" → "138****5678"; anything shorter is hidden whole. */
export function maskMobile(value: unknown): string {
  const text = String(value ?? "");
  return text.length >= 7 ? `${text.slice(0, 3)}****${text.slice(-4)}` : "****";
}

export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination({ fd: 2, sync: false })): Logger {
  const p = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: "msg",
      redact: {
        paths: [...secretKeys, ...mobileKeys],
        censor: (value, path) => (path[path.length - 1] === "mobile" ? maskMobile(value) : "[redacted]"),
      },
    },
    destination,
  );
  const at = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => p[lvl](fields ?? {}, msg);
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** The message and stack of an unknown thrown value, for a log line. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { err: err.message, stack: err.stack, code: (err as { code?: unknown }).code };
  return { err: String(err) };
}
