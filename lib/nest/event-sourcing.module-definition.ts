import { ConfigurableModuleBuilder, type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { EventSourcingModuleOptions } from './event-sourcing-options.interface.js';
import { CORE_EXPORTS, createCoreProviders } from './event-sourcing.providers.js';

/** Static flags only: extras are not resolved asynchronously (nestjs/nest#15661). */
export interface EventSourcingModuleExtras {
  /** Default true: repositories, EventBus and EVENT_STORE are injectable everywhere. */
  isGlobal?: boolean;
}

/** What forRootAsync() takes: `{ imports, inject, useFactory }` (or useClass / useExisting), plus the extras. */
export type EventSourcingModuleAsyncOptions = ConfigurableModuleAsyncOptions<EventSourcingModuleOptions> & EventSourcingModuleExtras;

/** The options exactly as passed to forRoot / returned by the forRootAsync factory. */
export const EVENT_SOURCING_MODULE_OPTIONS = 'eventsource:raw-module-options';

export const { ConfigurableModuleClass: ConfigurableEventSourcingModule } = new ConfigurableModuleBuilder<EventSourcingModuleOptions>({
  optionsInjectionToken: EVENT_SOURCING_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<EventSourcingModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
    imports: [...(definition.imports ?? []), DiscoveryModule],
    providers: [...(definition.providers ?? []), ...createCoreProviders(EVENT_SOURCING_MODULE_OPTIONS)],
    exports: [...(definition.exports ?? []), ...CORE_EXPORTS],
  }))
  .build();
