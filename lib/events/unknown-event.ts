import { DomainEvent, type BaseEventInit } from './domain-event.js';
import { EVENT_META } from './event-metadata.js';

/**
 * An event whose type this process does not know (a newer service published it).
 * Only wildcard handlers receive it; `data` holds the raw wire payload.
 */
export class UnknownEvent extends DomainEvent<UnknownEvent> {
  declare readonly data: Readonly<Record<string, unknown>>;

  constructor(init: BaseEventInit & { eventType: string; data: Record<string, unknown> }) {
    super({ ...init, aggregateType: init.aggregateType || 'Unknown', data: undefined } as never);
    Object.defineProperty(this, 'eventType', { value: init.eventType, enumerable: true });
    Object.defineProperty(this, 'data', { value: Object.freeze({ ...init.data }), enumerable: false });
    Object.freeze(this);
  }

  // Its type name and raw payload are not ordinary fields, so copies must carry them over.
  protected override copyInit(): Record<string, unknown> {
    return { ...super.copyInit(), eventType: this.eventType, data: this.data };
  }

  override toJSON() {
    return { ...this.data, ...super.toJSON(), event_type: this.eventType };
  }
}
Object.defineProperty(UnknownEvent, EVENT_META, { value: Object.freeze({ typeName: '(unknown)', source: 'decorator' }) });
