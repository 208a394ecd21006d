import type { DomainEvent } from '../events/domain-event.js';
import type { EventClassRef } from '../events/event-metadata.js';

export type EventHandlerFunction<E extends DomainEvent = DomainEvent> = (event: E) => void | Promise<void>;
export interface EventHandlerObject<E extends DomainEvent = DomainEvent> {
  handle(event: E): void | Promise<void>;
}
export type EventHandler<E extends DomainEvent = DomainEvent> = EventHandlerFunction<E> | EventHandlerObject<E>;

/** A projection or handler that declares the event types it wants (subscribeAll). */
export interface EventSubscriber<E extends DomainEvent = DomainEvent> extends EventHandlerObject<E> {
  subscribedTo(): EventClassRef[];
}

/** A subscribed handler as the dispatcher sees it. */
export interface HandlerEntry {
  /** What the user subscribed (identity for unsubscribe). */
  readonly handler: EventHandler<any>;
  readonly invoke: (event: DomainEvent) => unknown;
  /** Shown in logs, stats and dead letters: `Class.handle`, a function's name, or a Nest `Class.method`. */
  readonly name: string;
}

export function toHandlerEntry(handler: EventHandler<any>): HandlerEntry {
  const candidate = handler as unknown as { handle?: unknown } | undefined;
  // An object with handle() wins over a callable, as in the original.
  if (candidate !== null && (typeof candidate === 'object' || typeof candidate === 'function') && typeof candidate.handle === 'function') {
    const target = handler as EventHandlerObject;
    return { handler, invoke: (event) => target.handle(event), name: `${nameOfObject(target)}.handle` };
  }
  if (typeof handler === 'function') {
    return { handler, invoke: handler as (event: DomainEvent) => unknown, name: handler.name || 'anonymous' };
  }
  throw new TypeError('Handler must have a handle() method or be callable');
}

function nameOfObject(target: object): string {
  const ctor = (target as { constructor?: { name?: string } }).constructor;
  return ctor?.name && ctor.name !== 'Object' ? ctor.name : 'handler';
}
