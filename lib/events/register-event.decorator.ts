import { globalState } from '../utils/global-state.util.js';
import { assignPayload } from './domain-event.js';
import { EVENT_META, type EventClassMeta, type EventTypeSource } from './event-metadata.js';
import { getEventRegistry, type EventRegistry } from './event-registry.js';

export interface RegisterEventOptions {
  /** Wire name; defaults to the class's own static `eventType`, then the class name. */
  eventType?: string;
  /** Registry to add the class to; defaults to the process-wide default registry. */
  registry?: EventRegistry;
}

/**
 * Registers an event class under its type name and makes it behave the same under both
 * class-field semantics: the returned subclass re-applies the payload after the decorated
 * class's field declarations ran (define semantics resets them), then freezes the instance.
 */
export function RegisterEvent(eventTypeOrOptions?: string | RegisterEventOptions): ClassDecorator {
  const options = typeof eventTypeOrOptions === 'string' ? { eventType: eventTypeOrOptions } : (eventTypeOrOptions ?? {});
  return ((target: abstract new (...args: any[]) => object) => {
    const { typeName, source } = typeNameFor(target, options.eventType);
    const Registered = wrapEventClass(target as new (...args: any[]) => object, { typeName, source });
    (options.registry ?? getEventRegistry()).register(Registered as never);
    return Registered;
  }) as ClassDecorator;
}

function typeNameFor(target: Function, explicit: string | undefined): { typeName: string; source: EventTypeSource } {
  if (explicit !== undefined) {
    if (typeof explicit !== 'string' || explicit.length === 0) {
      throw new TypeError(`@RegisterEvent() on ${target.name}: the event type must be a non-empty string, got ${JSON.stringify(explicit)}.`);
    }
    return { typeName: explicit, source: 'decorator' };
  }
  const own = Object.hasOwn(target, 'eventType') ? (target as { eventType?: unknown }).eventType : undefined;
  if (typeof own === 'string' && own.length > 0) return { typeName: own, source: 'static' };
  return { typeName: target.name, source: 'class-name' };
}

function wrapEventClass(target: new (...args: any[]) => object, meta: EventClassMeta): Function {
  const Registered = class extends target {
    constructor(...args: any[]) {
      super(...args);
      if (globalState().blankConstruction) return;
      // Only the most derived registered class finishes construction; a decorated subclass
      // of this one still has to define its own fields.
      if (new.target === Registered) {
        assignPayload(this, args[0] as Record<string, unknown>);
        Object.freeze(this);
      }
    }
  };
  Object.defineProperty(Registered, 'name', { value: target.name });
  Object.defineProperty(Registered, EVENT_META, { value: Object.freeze({ ...meta }) });
  return Registered;
}
