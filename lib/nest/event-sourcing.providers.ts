import type { Provider } from '@nestjs/common';
import { EventBus } from '../bus/event-bus.js';
import { EVENT_STORE } from '../stores/event-store.interface.js';
import { EventHandlerMetadataAccessor } from './discovery/event-handler-metadata.accessor.js';
import { EventHandlersExplorer } from './discovery/event-handlers.explorer.js';
import { createEventBus } from './event-bus.factory.js';
import type { EventSourcingModuleOptions, ResolvedEventSourcingOptions } from './event-sourcing-options.interface.js';
import { resolveModuleOptions } from './event-sourcing-options.validator.js';
import { EventSourcingLifecycle } from './event-sourcing.lifecycle.js';
import { createEventStore } from './event-store.factory.js';
import { EVENT_SOURCING_OPTIONS } from './tokens.js';

/** What forRoot/forRootAsync add next to the raw options provider. Every instance is per app. */
export function createCoreProviders(rawOptionsToken: string | symbol): Provider[] {
  return [
    {
      provide: EVENT_SOURCING_OPTIONS,
      useFactory: (raw: EventSourcingModuleOptions | undefined) => resolveModuleOptions(raw),
      inject: [rawOptionsToken],
    },
    {
      provide: EVENT_STORE,
      useFactory: (options: ResolvedEventSourcingOptions) => createEventStore(options.eventStore, options.logger),
      inject: [EVENT_SOURCING_OPTIONS],
    },
    {
      provide: EventBus,
      useFactory: (options: ResolvedEventSourcingOptions) => createEventBus(options.transport, options.logger),
      inject: [EVENT_SOURCING_OPTIONS],
    },
    EventHandlerMetadataAccessor,
    EventHandlersExplorer,
    EventSourcingLifecycle,
  ];
}

/** Exported from the global module: what forFeature() and application code inject. */
export const CORE_EXPORTS = [EVENT_SOURCING_OPTIONS, EVENT_STORE, EventBus];
