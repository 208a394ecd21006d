import { EventSourcingError } from './event-sourcing.error.js';

export class EventNotRegisteredError extends EventSourcingError {
  constructor(readonly className: string) {
    super(
      `Event class ${className} is not registered. Decorate it with @RegisterEvent() ` +
        `(e.g. @RegisterEvent() class ${className} extends DomainEvent<${className}> {...}).`,
    );
  }
}
