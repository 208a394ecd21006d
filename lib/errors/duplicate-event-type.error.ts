import { EventSourcingError } from './event-sourcing.error.js';

export class DuplicateEventTypeError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    existingClass: string,
    newClass: string,
  ) {
    super(
      `Event type '${eventType}' is already registered to ${existingClass}. ` +
        `Cannot register ${newClass} with the same type name.`,
    );
  }
}
