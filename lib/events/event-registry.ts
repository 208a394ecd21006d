import { DuplicateEventTypeError } from '../errors/duplicate-event-type.error.js';
import { EventNotRegisteredError } from '../errors/event-not-registered.error.js';
import { EventTypeNotFoundError } from '../errors/event-type-not-found.error.js';
import { globalState } from '../utils/global-state.util.js';
import type { DomainEvent } from './domain-event.js';
import { ownEventMeta, type EventClass } from './event-metadata.js';

/** Maps wire type names to event classes, for decoding events from brokers and stores. */
export class EventRegistry {
  private readonly byName = new Map<string, EventClass>();

  /** Registers a @RegisterEvent class under its type name (or `name`, an alias). Same class again: no-op. */
  register<E extends DomainEvent>(eventClass: EventClass<E>, name?: string): string {
    const meta = ownEventMeta(eventClass);
    if (!meta) throw new EventNotRegisteredError((eventClass as { name?: string })?.name ?? String(eventClass));
    const typeName = name ?? meta.typeName;
    const existing = this.byName.get(typeName);
    if (existing === eventClass) return typeName;
    if (existing) throw new DuplicateEventTypeError(typeName, existing.name, eventClass.name);
    this.byName.set(typeName, eventClass as EventClass);
    return typeName;
  }

  get(typeName: string): EventClass {
    const found = this.byName.get(typeName);
    if (!found) throw new EventTypeNotFoundError(typeName, this.listTypes());
    return found;
  }

  getOrUndefined(typeName: string): EventClass | undefined {
    return this.byName.get(typeName);
  }

  has(typeOrClass: string | EventClass): boolean {
    if (typeof typeOrClass === 'string') return this.byName.has(typeOrClass);
    const meta = ownEventMeta(typeOrClass);
    return meta !== undefined && this.byName.get(meta.typeName) === typeOrClass;
  }

  listTypes(): string[] {
    return [...this.byName.keys()];
  }

  unregister(typeOrClass: string | EventClass): boolean {
    if (typeof typeOrClass === 'string') return this.byName.delete(typeOrClass);
    let removed = false;
    for (const [name, cls] of this.byName) {
      if (cls === typeOrClass) removed = this.byName.delete(name) || removed;
    }
    return removed;
  }

  clear(): void {
    this.byName.clear();
  }

  get size(): number {
    return this.byName.size;
  }
}

/** The process-wide registry @RegisterEvent() uses by default (one copy across ESM and CJS builds). */
export function getEventRegistry(): EventRegistry {
  const state = globalState();
  return (state.defaultRegistry ??= new EventRegistry()) as EventRegistry;
}

export const defaultRegistry: EventRegistry = getEventRegistry();
