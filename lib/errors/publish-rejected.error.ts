import { EventSourcingError } from './event-sourcing.error.js';

export class PublishRejectedError extends EventSourcingError {
  constructor(
    readonly acceptedEventIds: string[],
    readonly rejectedEventIds: string[],
    cause?: unknown,
    retriable = true,
  ) {
    super(
      `The broker rejected ${rejectedEventIds.length} of ${acceptedEventIds.length + rejectedEventIds.length} ` +
        `event(s): ${cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : 'negative acknowledgement'}`,
      { cause, retriable },
    );
  }
}
