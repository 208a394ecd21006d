import type { EventBusStats } from '../bus/bus-stats.js';
import { EventBus } from '../bus/event-bus.js';

/**
 * The same class object as EventBus, under a name that does not clash with @nestjs/cqrs's
 * EventBus: injecting either gives the same bus.
 */
export const DomainEventBus = EventBus;
export type DomainEventBus<TStats extends EventBusStats = EventBusStats> = EventBus<TStats>;
