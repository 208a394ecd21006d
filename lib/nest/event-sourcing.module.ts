import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AggregateRepository, type AggregateFactory } from '../aggregates/aggregate.repository.js';
import type { AggregateRoot } from '../aggregates/aggregate-root.js';
import { EventBus } from '../bus/event-bus.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import { EVENT_STORE, type EventStore } from '../stores/event-store.interface.js';
import type { ResolvedEventSourcingOptions } from './event-sourcing-options.interface.js';
import { ConfigurableEventSourcingModule } from './event-sourcing.module-definition.js';
import { EVENT_SOURCING_OPTIONS, getRepositoryToken } from './tokens.js';

/**
 * Event sourcing for a Nest app.
 *
 * - `forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`, once, in the root
 *   module: the bus, the store, handler discovery and their lifecycle. The module is global.
 * - `forFeature([OrderAggregate, ...])`: an AggregateRepository per aggregate class, injected
 *   with `@InjectRepository(OrderAggregate)`.
 */
@Module({})
export class EventSourcingModule extends ConfigurableEventSourcingModule {
  static forFeature(aggregates: AggregateFactory<AggregateRoot<any>>[]): DynamicModule {
    if (!Array.isArray(aggregates)) {
      throw new ConfigurationError('EventSourcingModule.forFeature(aggregates)', aggregates, 'an array of AggregateRoot subclasses');
    }
    const providers = aggregates.map((aggregate, index): Provider => {
      if (typeof aggregate !== 'function') {
        throw new ConfigurationError(
          `EventSourcingModule.forFeature(aggregates)[${index}]`,
          aggregate,
          'an AggregateRoot subclass (undefined usually means an import cycle: move the aggregate to its own file)',
        );
      }
      return {
        provide: getRepositoryToken(aggregate),
        useFactory: (eventStore: EventStore, bus: EventBus, options: ResolvedEventSourcingOptions) =>
          new AggregateRepository({
            eventStore,
            aggregateFactory: aggregate,
            eventPublisher: bus,
            publishInBackground: options.publishInBackground,
          }),
        inject: [EVENT_STORE, EventBus, EVENT_SOURCING_OPTIONS],
      };
    });
    return { module: EventSourcingModule, providers, exports: providers };
  }
}
