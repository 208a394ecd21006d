import { EventSourcingError } from './event-sourcing.error.js';

export class EventTypeNotFoundError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly availableTypes: string[],
  ) {
    super(
      `Unknown event type: '${eventType}'. Available types: ${availableTypes.join(', ') || '(none)'}. ` +
        'Did you forget to register this event type?',
    );
  }
}
