import { eventTypeOf, resolveEventClass, type EventClassRef } from '../events/event-metadata.js';
import { toHandlerEntry, type EventHandler, type HandlerEntry } from './handler.js';

const NONE: readonly HandlerEntry[] = Object.freeze([]);

/**
 * Who listens to what, keyed by event type name (so two copies of a class still match).
 * Lists are copy-on-write: a dispatch in progress keeps the snapshot it started with, and
 * subscribing or unsubscribing from inside a handler cannot disturb it.
 */
export class SubscriberRegistry {
  private typed = new Map<string, readonly HandlerEntry[]>();
  private wildcard: readonly HandlerEntry[] = NONE;
  /** Typed + wildcard per type, rebuilt lazily after any change. */
  private combined = new Map<string, readonly HandlerEntry[]>();
  private readonly typeListeners: Array<(eventType: string) => void> = [];
  private readonly wildcardListeners: Array<() => void> = [];

  subscribe(eventType: EventClassRef, handler: EventHandler<any>): string {
    const entry = toHandlerEntry(handler);
    const typeName = typeNameOf(eventType);
    const isNewType = !this.typed.has(typeName);
    this.typed.set(typeName, [...(this.typed.get(typeName) ?? NONE), entry]);
    this.combined.clear();
    if (isNewType) for (const listener of this.typeListeners) listener(typeName);
    return typeName;
  }

  unsubscribe(eventType: EventClassRef, handler: EventHandler<any>): boolean {
    const typeName = typeNameOf(eventType);
    const list = this.typed.get(typeName);
    const index = list ? list.findIndex((entry) => entry.handler === handler) : -1;
    if (!list || index < 0) return false;
    const next = list.filter((_, i) => i !== index);
    if (next.length === 0) this.typed.delete(typeName);
    else this.typed.set(typeName, next);
    this.combined.clear();
    return true;
  }

  subscribeWildcard(handler: EventHandler<any>): void {
    const isFirst = this.wildcard.length === 0;
    this.wildcard = [...this.wildcard, toHandlerEntry(handler)];
    this.combined.clear();
    if (isFirst) for (const listener of this.wildcardListeners) listener();
  }

  unsubscribeWildcard(handler: EventHandler<any>): boolean {
    const index = this.wildcard.findIndex((entry) => entry.handler === handler);
    if (index < 0) return false;
    this.wildcard = this.wildcard.filter((_, i) => i !== index);
    this.combined.clear();
    return true;
  }

  clear(): void {
    this.typed = new Map();
    this.wildcard = NONE;
    this.combined.clear();
  }

  /** Typed handlers, then wildcard handlers, for one event type: an immutable snapshot. */
  handlersFor(typeName: string): readonly HandlerEntry[] {
    let list = this.combined.get(typeName);
    if (list === undefined) {
      const typed = this.typed.get(typeName) ?? NONE;
      list = typed.length === 0 ? this.wildcard : this.wildcard.length === 0 ? typed : [...typed, ...this.wildcard];
      this.combined.set(typeName, list);
    }
    return list;
  }

  typedHandlersFor(typeName: string): readonly HandlerEntry[] {
    return this.typed.get(typeName) ?? NONE;
  }

  wildcardHandlers(): readonly HandlerEntry[] {
    return this.wildcard;
  }

  count(eventType?: EventClassRef): number {
    if (eventType === undefined) {
      let total = 0;
      for (const list of this.typed.values()) total += list.length;
      return total;
    }
    return this.typed.get(typeNameOf(eventType))?.length ?? 0;
  }

  wildcardCount(): number {
    return this.wildcard.length;
  }

  subscribedTypes(): string[] {
    return [...this.typed.keys()];
  }

  hasAnyHandler(): boolean {
    return this.typed.size > 0 || this.wildcard.length > 0;
  }

  /** Called with each type name that gains its first handler (brokers bind queues for it). */
  onNewType(listener: (eventType: string) => void): void {
    this.typeListeners.push(listener);
  }

  /** Called when the first wildcard handler arrives (brokers route every type to the group). */
  onFirstWildcard(listener: () => void): void {
    this.wildcardListeners.push(listener);
  }
}

function typeNameOf(ref: EventClassRef): string {
  if (typeof ref === 'string') return ref;
  const cls = resolveEventClass(ref);
  if (typeof cls !== 'function') {
    throw new TypeError(
      `Event type must be an event class or a thunk returning one, got ${String(cls)}. ` +
        'If this is a circular import, pass a thunk: () => MyEvent.',
    );
  }
  return eventTypeOf(cls);
}
