import { EventSourcingError } from './event-sourcing.error.js';

export class PublishTimeoutError extends EventSourcingError {
  constructor(
    readonly timeoutMs: number,
    readonly eventIds: string[],
    cause?: unknown,
  ) {
    super(
      `The broker did not accept ${eventIds.length} event(s) within publishTimeoutMs=${timeoutMs}. ` +
        'They may or may not have been stored; a retry can duplicate them.',
      { cause, retriable: true },
    );
  }
}
