import { inspect } from 'node:util';

/**
 * What the library logs through. Nest's `Logger` fits it, and so does `console`.
 * The library never writes to stdout on its own.
 */
export interface EventSourcingLogger {
  error(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  log?(message: string, ...meta: unknown[]): void;
  debug?(message: string, ...meta: unknown[]): void;
}

/** Default logger: warnings and errors to stderr, nothing else. */
export const stderrLogger: EventSourcingLogger = {
  error: (message, ...meta) => process.stderr.write(format('ERROR', message, meta)),
  warn: (message, ...meta) => process.stderr.write(format('WARN', message, meta)),
};

function format(level: string, message: string, meta: unknown[]): string {
  const extra = meta
    .filter((m) => m !== undefined)
    .map((m) => (m instanceof Error ? (m.stack ?? m.message) : typeof m === 'string' ? m : inspect(m, { depth: 4 })))
    .join('\n');
  return `[nestjs-eventsource] ${level} ${message}${extra ? `\n${extra}` : ''}\n`;
}

export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  const error = new Error(typeof value === 'string' ? value : `Non-error thrown: ${safeString(value)}`);
  error.name = 'NonErrorThrown';
  return error;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
