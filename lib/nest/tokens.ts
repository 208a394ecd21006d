import { ConfigurationError } from '../errors/configuration.error.js';

/** The validated module options (ResolvedEventSourcingOptions). */
export const EVENT_SOURCING_OPTIONS = 'eventsource:module-options';

/**
 * Injection token of the AggregateRepository that `forFeature([Aggregate])` provides.
 * A string derived from the class name, so it reads well in Nest's dependency errors.
 */
export function getRepositoryToken(aggregate: Function): string {
  if (typeof aggregate !== 'function') {
    throw new ConfigurationError(
      'aggregate',
      aggregate,
      'an AggregateRoot subclass (if it is undefined here, an import cycle left it uninitialised: move the aggregate to its own file)',
    );
  }
  return `eventsource:repository:${aggregate.name}`;
}
