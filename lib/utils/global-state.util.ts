/**
 * Module state that must exist once per process, even when both the ESM and the CommonJS
 * build of this package are loaded (a Nest 11 CommonJS app next to an ESM script, say).
 * It lives on globalThis under a versioned, registry-wide symbol.
 */
const STATE_KEY = Symbol.for('nestjs-eventsource.state.v1');

export interface GlobalState {
  /** True while the codec builds a blank instance for class-transformer. */
  blankConstruction: boolean;
  defaultRegistry?: unknown;
  /** Event types already warned about (class-name defaults on broker buses). */
  warnedTypes: Set<string>;
}

export function globalState(): GlobalState {
  const holder = globalThis as { [STATE_KEY]?: GlobalState };
  return (holder[STATE_KEY] ??= { blankConstruction: false, warnedTypes: new Set() });
}
