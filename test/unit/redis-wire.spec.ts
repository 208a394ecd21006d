import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { DomainEvent, RegisterEvent } from '../../lib/index.js';
import { pythonIsoformat, toDlqMessage, toIncoming, toStreamFields } from '../../lib/bus/redis/redis-wire.js';

@RegisterEvent('redisWire.Noted')
class Noted extends DomainEvent<Noted> {
  static readonly aggregateType = 'Note';
  @IsString() readonly text!: string;
}

describe('Redis wire format', () => {
  it.each([
    ['2025-01-15T10:30:00.123Z', '2025-01-15T10:30:00.123000+00:00'],
    ['2025-01-15T12:00:00.000Z', '2025-01-15T12:00:00+00:00'],
    ['2025-01-15T12:00:00.007Z', '2025-01-15T12:00:00.007000+00:00'],
  ])("writes occurred_at %s as Python's isoformat %s", (iso, expected) => {
    expect(pythonIsoformat(new Date(iso))).toBe(expected);
  });

  it('writes the 7 fields in eventsource-py order, tenant_id empty when unset', () => {
    const event = new Noted({ aggregateId: randomUUID(), text: 'hi', occurredAt: new Date('2025-01-15T10:30:00.123Z') });
    const fields = toStreamFields({ event, body: '{"b":1}' });
    expect(fields.filter((_, i) => i % 2 === 0)).toEqual([
      'event_id',
      'event_type',
      'aggregate_id',
      'aggregate_type',
      'tenant_id',
      'occurred_at',
      'payload',
    ]);
    expect(fields.filter((_, i) => i % 2 === 1)).toEqual([
      event.eventId,
      'redisWire.Noted',
      event.aggregateId,
      'Note',
      '',
      '2025-01-15T10:30:00.123000+00:00',
      '{"b":1}',
    ]);
  });

  it('reads an entry: body from payload, ordering by aggregate_id, fields as headers', () => {
    const message = toIncoming('1-0', ['aggregate_id', 'a1', 'payload', '{"x":"é"}'], true, 2);
    expect(message).toMatchObject({
      id: '1-0',
      body: '{"x":"é"}',
      orderingKey: 'a1',
      sizeBytes: 10,
      redelivered: true,
      previousAttempts: 2,
    });
    expect(message.headers).toEqual({ aggregate_id: 'a1', payload: '{"x":"é"}' });
    expect(toIncoming('2-0', ['junk', 'x'], false)).toMatchObject({ body: '', orderingKey: undefined });
  });

  it('reads dead letters of this library and of eventsource-py', () => {
    const ours = toDlqMessage('5-0', [
      'event_id',
      'e1',
      'event_type',
      'T',
      'payload',
      '{}',
      'retry_count',
      '3',
      'dlq_timestamp',
      '2026-11-27T09:15:14.859402+00:00',
      'dlq_reason',
      'deserialization_error',
      'dlq_error_type',
      'EventValidationError',
      'dlq_error_message',
      'bad',
      'dlq_failed_handlers',
      '["a","b"]',
    ]);
    expect(ours).toEqual({
      id: '5-0',
      eventId: 'e1',
      eventType: 'T',
      reason: 'deserialization_error',
      errorType: 'EventValidationError',
      errorMessage: 'bad',
      retryCount: 3,
      failedHandlers: ['a', 'b'],
      timestamp: new Date('2026-11-27T09:15:14.859Z'),
      payload: '{}',
    });
    expect(toDlqMessage('6-0', ['payload', 'x'])).toMatchObject({
      eventId: null,
      reason: 'max_retries_exceeded',
      retryCount: 0,
      timestamp: null,
      failedHandlers: [],
    });
  });
});
