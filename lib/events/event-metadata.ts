import type { DomainEvent } from './domain-event.js';

/** Where an event type name came from: class names are not stable under minifiers. */
export type EventTypeSource = 'decorator' | 'static' | 'class-name';

export interface EventClassMeta {
  typeName: string;
  source: EventTypeSource;
}

// Registry-wide symbol, so a class decorated through one build is recognised by the other.
export const EVENT_META = Symbol.for('nestjs-eventsource.event-meta.v1');

/** A concrete, registered event class. */
export type EventClass<E extends DomainEvent = DomainEvent> = (abstract new (...args: any[]) => E) & {
  readonly name: string;
  readonly eventType?: string;
  readonly aggregateType?: string;
};

/** An event class or a thunk returning one (for circular imports). */
export type EventClassRef<E extends DomainEvent = DomainEvent> = EventClass<E> | (() => EventClass<E>);

export function ownEventMeta(cls: unknown): EventClassMeta | undefined {
  if (typeof cls !== 'function' || !Object.hasOwn(cls, EVENT_META)) return undefined;
  return (cls as unknown as Record<symbol, EventClassMeta>)[EVENT_META];
}

export function isEventClass(value: unknown): value is EventClass {
  return ownEventMeta(value) !== undefined;
}

/** The wire name of an event class: decorator argument, own static eventType, or class name. */
export function eventTypeOf(cls: EventClass): string {
  const meta = ownEventMeta(cls);
  if (meta) return meta.typeName;
  if (Object.hasOwn(cls, 'eventType') && typeof cls.eventType === 'string') return cls.eventType;
  return cls.name;
}

/**
 * Resolves a class or a thunk. A class is a function with a prototype whose own meta is set;
 * an arrow thunk has no prototype.
 */
export function resolveEventClass<E extends DomainEvent>(ref: EventClassRef<E>): EventClass<E> | undefined {
  if (ref === undefined || ref === null) return undefined;
  if (isEventClass(ref)) return ref as EventClass<E>;
  if (typeof ref === 'function' && !Object.hasOwn(ref, 'prototype')) {
    return (ref as () => EventClass<E>)();
  }
  return ref as unknown as EventClass<E>;
}
