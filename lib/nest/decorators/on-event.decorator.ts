import type { EventClassRef } from '../../events/event-metadata.js';
import { appendOnEventMetadata, decoratedTarget } from './event-handler.metadata.js';

/**
 * Subscribes a method to one or more event types:
 *
 *   @OnEvent(OrderPlaced) placed(e: OrderPlaced) {}
 *   @OnEvent(OrderPlaced, OrderShipped) changed(e: OrderPlaced | OrderShipped) {}
 *   @OnEvent(() => OrderPlaced) placed(e: OrderPlaced) {}   // thunk, for circular imports
 *
 * On a class, subscribes its `handle(event)` method. Binding happens at bootstrap, once per
 * provider instance; classes and thunks are resolved then, so an import cycle that leaves a
 * class undefined fails bootstrap with the class and method named.
 */
export function OnEvent(...events: EventClassRef<any>[]): ClassDecorator & MethodDecorator {
  return (target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (events.length === 0) {
      const where = descriptor ? `${nameOf(target)}.${String(propertyKey)}` : nameOf(target);
      throw new TypeError(
        `@OnEvent() on ${where} needs at least one event class, e.g. @OnEvent(OrderPlaced). For every event use @OnAnyEvent().`,
      );
    }
    appendOnEventMetadata(decoratedTarget(target, descriptor), {
      events: [...events],
    });
  };
}

/** Same as OnEvent; for apps that also import OnEvent from @nestjs/event-emitter. */
export const OnDomainEvent = OnEvent;

function nameOf(target: object): string {
  return typeof target === 'function' ? target.name : (target.constructor?.name ?? 'anonymous');
}
