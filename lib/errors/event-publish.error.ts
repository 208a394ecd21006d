import { EventSourcingError } from './event-sourcing.error.js';

/**
 * The events were appended to the store, then publishing them failed. They are persisted
 * (`persisted: true`): do not save again; republish `eventIds` or use a store with an outbox.
 */
export class EventPublishError extends EventSourcingError {
  readonly persisted = true;

  constructor(
    readonly eventIds: string[],
    cause: unknown,
  ) {
    super(
      `Events ${eventIds.join(', ')} were saved but publishing them failed: ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause, retriable: (cause as { retriable?: boolean } | undefined)?.retriable ?? false },
    );
  }
}
