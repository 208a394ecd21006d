import { EventSourcingError } from './event-sourcing.error.js';

/** A configuration value is wrong. Names the key, the value and what was expected. */
export class ConfigurationError extends EventSourcingError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`Invalid configuration: ${key} = ${describe(value)}; expected ${expected}.`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
