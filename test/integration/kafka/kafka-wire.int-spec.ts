import { readFileSync } from 'node:fs';
import { IsNumber, IsString } from 'class-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainEvent, EventCodec, EventRegistry, RegisterEvent, type KafkaEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { KafkaTestScope, readRawRecords, uniqueName, useKafkaBroker } from './kafka-test-utils.js';

/** eventsource-py's recording: what its KafkaEventBus passed to AIOKafkaProducer.send(). */
interface RecordedRecord {
  case: string;
  publish_call?: number;
  key: string;
  value: string;
  headers: Array<[string, string]>;
}
const recording = JSON.parse(readFileSync(new URL('./fixtures/kafka-record.json', import.meta.url), 'utf8')) as {
  records: RecordedRecord[];
  retry_and_dlq_chain: { steps: RecordedRecord[] };
};

const registry = new EventRegistry();

@RegisterEvent({ registry })
class OrderPlaced extends DomainEvent<OrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}

@RegisterEvent({ registry })
class OrderShipped extends DomainEvent<OrderShipped> {
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}

@RegisterEvent({ registry })
class OrderCancelled extends DomainEvent<OrderCancelled> {
  static readonly aggregateType = 'Order';
  @IsString() readonly reason!: string;
}

const available = await useKafkaBroker();
const codec = new EventCodec({ registry, payloadNaming: 'snake_case' });

/** A Date holds milliseconds: `…00.123456+00:00` becomes `…00.123000+00:00`. */
function toMilliseconds(isoformat: string): string {
  return isoformat.replace(/\.(\d{3})\d{3}(?=[+Z])/, '.$1000');
}

describe.skipIf(!available)('KafkaEventBus wire format (eventsource-py interop)', () => {
  const scope = new KafkaTestScope('wire', () => ({ consumerGroup: uniqueName('g'), payloadNaming: 'snake_case' }), { registry });
  const raw = scope.raw;
  const bus = (topicPrefix: string, config: Record<string, unknown> = {}): KafkaEventBus => scope.bus(topicPrefix, config);
  const prefix = (name: string): string => scope.prefix(name);

  afterAll(() => scope.cleanup());

  it('publishes records like eventsource-py: key, header names, order and format, body', async () => {
    const topicPrefix = prefix('out');
    const publisher = bus(topicPrefix);
    const calls = new Map<number, DomainEvent[]>();
    for (const record of recording.records) {
      const event = codec.decode(record.value);
      calls.set(record.publish_call ?? 0, [...(calls.get(record.publish_call ?? 0) ?? []), event]);
    }
    for (const call of [...calls.keys()].sort()) await publisher.publish(calls.get(call)!);

    const records = await readRawRecords(raw.kafka, `${topicPrefix}.stream`, recording.records.length);
    expect(records).toHaveLength(recording.records.length);
    for (const expected of recording.records) {
      const eventId = JSON.parse(expected.value).event_id;
      const actual = records.find((r) => r.headers.find(([name]) => name === 'event_id')?.[1] === eventId);
      expect(actual, expected.case).toBeDefined();
      expect(actual!.key).toBe(expected.key);
      expect(actual!.headers.map(([name]) => name)).toEqual(expected.headers.map(([name]) => name));
      expect(actual!.headers).toEqual(
        expected.headers.map(([name, value]) => [name, name === 'occurred_at' ? toMilliseconds(value) : value]),
      );
      const body = JSON.parse(actual!.value);
      const recordedBody = JSON.parse(expected.value);
      expect(Object.keys(body)).toEqual(Object.keys(recordedBody));
      expect({ ...body, occurred_at: undefined }).toEqual({ ...recordedBody, occurred_at: undefined });
      expect(Date.parse(body.occurred_at)).toBe(Date.parse(recordedBody.occurred_at));
    }
  });

  it('consumes records produced by eventsource-py', async () => {
    const topicPrefix = prefix('in');
    const received: DomainEvent[] = [];
    const consumer = bus(topicPrefix);
    for (const type of [OrderPlaced, OrderShipped, OrderCancelled]) consumer.subscribe(type, (e: DomainEvent) => void received.push(e));
    await consumer.startConsuming();
    for (const record of recording.records) {
      await raw.produceRaw(`${topicPrefix}.stream`, { key: record.key, value: record.value, headers: Object.fromEntries(record.headers) });
    }
    await waitFor(() => received.length === recording.records.length, 20_000);
    for (const record of recording.records) {
      const expected = JSON.parse(record.value);
      const event = received.find((e) => e.eventId === expected.event_id);
      expect(event, record.case).toBeDefined();
      expect(event!.eventType).toBe(expected.event_type);
      expect(event!.occurredAt.getTime()).toBe(Date.parse(expected.occurred_at));
      expect({ ...codec.toBody(event!), occurred_at: undefined }).toEqual({ ...expected, occurred_at: undefined });
    }
    const shipped = received.find((e) => e.eventType === 'OrderShipped' && e.tenantId !== null) as OrderShipped;
    expect(shipped).toMatchObject({ trackingNumber: 'TRACK-0002', actorId: 'user:alice@example.com' });
    expect(shipped.metadata).toMatchObject({ source: 'checkout-api', tags: ['priority', 'gift'] });
  });

  it("honours eventsource-py's retry_count header and dead-letters with its dlq_* header names", async () => {
    const topicPrefix = prefix('dlq-out');
    const steps = recording.retry_and_dlq_chain.steps;
    const third = steps.find((step) => step.headers.some(([name, value]) => name === 'retry_count' && value === '3'))!;
    let calls = 0;
    const consumer = bus(topicPrefix, { maxRetries: 3 });
    consumer.subscribe(OrderCancelled, function cancelHandler() {
      calls++;
      throw new Error('still failing');
    });
    await consumer.startConsuming();
    await raw.produceRaw(`${topicPrefix}.stream`, { key: third.key, value: third.value, headers: Object.fromEntries(third.headers) });
    await waitFor(() => consumer.getStats().messagesSentToDlq === 1, 20_000);
    // Three retries were already made by the other service: one last attempt, then the DLQ.
    expect(calls).toBe(1);

    const [dead] = await readRawRecords(raw.kafka, `${topicPrefix}.stream.dlq`, 1);
    const recordedDlq = steps.at(-1)!;
    expect(dead!.key).toBe(recordedDlq.key);
    expect(dead!.value).toBe(recordedDlq.value);
    expect(dead!.headers.map(([name]) => name)).toEqual([...recordedDlq.headers.map(([name]) => name), 'dlq_failed_handlers']);
    const headers = Object.fromEntries(dead!.headers);
    expect(headers).toMatchObject({
      dlq_reason: 'max_retries_exceeded',
      dlq_error_type: 'Error',
      dlq_error_message: 'still failing',
      dlq_retry_count: '3',
      dlq_original_topic: `${topicPrefix}.stream`,
      dlq_original_partition: expect.stringMatching(/^\d+$/),
      dlq_original_offset: '0',
      dlq_failed_handlers: '["cancelHandler"]',
    });
    expect(headers.dlq_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);

    const [letter] = await consumer.getDlqMessages();
    expect(letter).toMatchObject({ eventId: JSON.parse(third.value).event_id, retryCount: 3, failedHandlers: ['cancelHandler'] });
  });

  it('lists dead letters written by eventsource-py', async () => {
    const topicPrefix = prefix('dlq-in');
    const consumer = bus(topicPrefix);
    await consumer.connect();
    const recorded = recording.retry_and_dlq_chain.steps.at(-1)!;
    await raw.produceRaw(`${topicPrefix}.stream.dlq`, {
      key: recorded.key,
      value: recorded.value,
      headers: Object.fromEntries(recorded.headers),
    });
    expect(await consumer.getDlqMessageCount()).toBe(1);
    const [letter] = await consumer.getDlqMessages();
    expect(letter).toEqual({
      id: '0:0',
      eventId: '33e109ff-9738-5b32-9c38-c15aec391b4e',
      eventType: 'OrderCancelled',
      reason: 'max_retries_exceeded',
      errorType: 'RuntimeError',
      errorMessage: 'handler failed on purpose (fixture recording)',
      retryCount: 3,
      failedHandlers: [],
      timestamp: new Date('2026-11-27T09:17:00.580Z'),
      payload: recorded.value,
    });
  });
});
