export * from './event-sourcing.module.js';
export {
  EVENT_SOURCING_MODULE_OPTIONS,
  type EventSourcingModuleAsyncOptions,
  type EventSourcingModuleExtras,
} from './event-sourcing.module-definition.js';
export * from './event-sourcing-options.interface.js';
export { EVENT_SOURCING_OPTIONS, getRepositoryToken } from './tokens.js';
export * from './decorators/on-event.decorator.js';
export * from './decorators/on-any-event.decorator.js';
export * from './decorators/projection.decorator.js';
export * from './decorators/inject-repository.decorator.js';
export { ON_EVENT_METADATA, ON_ANY_EVENT_METADATA, PROJECTION_METADATA } from './decorators/event-handler.metadata.js';
export * from './errors/invalid-event-handler.error.js';
export * from './domain-event-bus.js';
