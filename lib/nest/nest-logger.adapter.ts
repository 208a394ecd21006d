import { Logger } from '@nestjs/common';
import type { EventSourcingLogger } from '../utils/logger.util.js';

/**
 * Routes the library's log calls to Nest's Logger, so they follow the application's logger
 * (`app.useLogger`, log levels, `logger: false`). Extra arguments are folded into the message;
 * an Error or a stack string becomes the stack Nest prints.
 */
export function nestLoggerAdapter(context: string): EventSourcingLogger {
  const logger = new Logger(context);
  return {
    error: (message, ...meta) => {
      const { text, stack } = split(message, meta);
      if (stack) logger.error(text, stack);
      else logger.error(text);
    },
    warn: (message, ...meta) => logger.warn(split(message, meta).text),
    log: (message, ...meta) => logger.log(split(message, meta).text),
    debug: (message, ...meta) => logger.debug(split(message, meta).text),
  };
}

function split(message: string, meta: unknown[]): { text: string; stack?: string } {
  let stack: string | undefined;
  const extra: string[] = [];
  for (const item of meta) {
    if (item === undefined) continue;
    if (item instanceof Error && stack === undefined) stack = item.stack ?? item.message;
    else if (typeof item === 'string' && stack === undefined && /\n\s+at /.test(item)) stack = item;
    else extra.push(typeof item === 'string' ? item : safeString(item));
  }
  return {
    text: extra.length > 0 ? `${message} ${extra.join(' ')}` : message,
    stack,
  };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
