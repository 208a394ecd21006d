import 'reflect-metadata';
import { PROJECTION_METADATA } from './event-handler.metadata.js';

/**
 * Marks a provider as a projection: at bootstrap its `subscribedTo()` is called and it is
 * subscribed (through `handle(event)`) to every event class that returns.
 *
 *   @Projection() class OrderSummaryProjection {
 *     subscribedTo() { return [OrderPlaced, OrderShipped]; }
 *     async handle(event: OrderPlaced | OrderShipped) {}
 *   }
 */
export function Projection(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(PROJECTION_METADATA, true, target);
  };
}
