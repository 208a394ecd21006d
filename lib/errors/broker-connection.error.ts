import { EventSourcingError } from './event-sourcing.error.js';

export class BrokerConnectionError extends EventSourcingError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause, retriable: true });
  }
}
