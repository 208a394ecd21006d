import 'reflect-metadata';
import type { EventClassRef } from '../../events/event-metadata.js';

// Namespaced strings, not Symbols: two installed copies of the library still agree.
export const ON_EVENT_METADATA = 'eventsource:on-event';
export const ON_ANY_EVENT_METADATA = 'eventsource:on-any-event';
export const PROJECTION_METADATA = 'eventsource:projection';

/** One `@OnEvent(...)` application: the classes (or thunks) exactly as written. */
export interface OnEventMetadata {
  readonly events: readonly EventClassRef[];
}

/** The decorated function: the method itself, or the class for class-level decorators. */
export function decoratedTarget(target: object, descriptor?: PropertyDescriptor): Function {
  return descriptor ? (descriptor.value as Function) : (target as Function);
}

/** Stacked decorators add up (`@OnEvent(A) @OnEvent(B)` binds both). */
export function appendOnEventMetadata(target: Function, entry: OnEventMetadata): void {
  const existing = (Reflect.getOwnMetadata(ON_EVENT_METADATA, target) as OnEventMetadata[] | undefined) ?? [];
  Reflect.defineMetadata(ON_EVENT_METADATA, [...existing, entry], target);
}
