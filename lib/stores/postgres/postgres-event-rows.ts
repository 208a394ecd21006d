import { EventValidationError, type FieldViolation } from '../../errors/event-validation.error.js';
import { EventTypeNotFoundError } from '../../errors/event-type-not-found.error.js';
import type { DomainEvent } from '../../events/domain-event.js';
import type { EventCodec } from '../../events/event-codec.js';
import type { StoredEvent } from '../event-store.interface.js';

/** Columns every read selects. */
export const EVENT_COLUMNS = 'global_position, aggregate_id, aggregate_type, aggregate_version, payload, stored_at';

export interface EventRow {
  /** bigint: `pg` returns it as a string. */
  global_position: string;
  aggregate_id: string;
  aggregate_type: string;
  aggregate_version: number;
  payload: Record<string, unknown>;
  stored_at: Date;
}

/**
 * Decodes a stored wire body through the registry. Any failure becomes an EventValidationError
 * whose message carries `context` (table and position), so a bad row can be found and repaired.
 */
export function decodeStoredBody(codec: EventCodec, body: Record<string, unknown>, context: string): DomainEvent {
  try {
    return codec.decode(body, context);
  } catch (error) {
    const type = typeof body?.event_type === 'string' ? body.event_type : '(untyped)';
    if (error instanceof EventValidationError) {
      // The event constructor reports bad base fields without knowing where the body came from.
      if (error.message.includes(context)) throw error;
      throw new EventValidationError(type, error.violations, context);
    }
    const violation: FieldViolation =
      error instanceof EventTypeNotFoundError
        ? { field: 'event_type', value: type, constraints: { isRegistered: error.message } }
        : { field: '(body)', value: body, constraints: { isDecodable: error instanceof Error ? error.message : String(error) } };
    throw new EventValidationError(type, [violation], context);
  }
}

export function toStoredEvent(codec: EventCodec, row: EventRow, table: string): StoredEvent {
  return {
    event: decodeStoredBody(codec, row.payload, `global position ${row.global_position} in ${table}`),
    streamId: `${row.aggregate_type}-${row.aggregate_id}`,
    streamPosition: row.aggregate_version,
    globalPosition: Number(row.global_position),
    storedAt: row.stored_at,
  };
}
