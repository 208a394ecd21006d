import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IsNumber, IsString } from 'class-validator';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DomainEvent, EventCodec, EventRegistry, RedisEventBus, RegisterEvent, type RedisEventBusConfig } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { REDIS_URL, RedisTestClient, redisAvailable } from './redis-test-utils.js';

// eventsource-py's recordings (see /work/shared/fixtures/wire/README.md), copied next to this test.
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/wire/${name}`, import.meta.url), 'utf8'));
const streamFixture = fixture('redis-stream-entries.json') as { entries: RecordedEntry[] };
const dlqFixture = fixture('redis-dlq-entry.json') as { entry: RecordedEntry };
const eventsFixture = fixture('events.json') as { events: Array<{ case: string; to_dict: Record<string, unknown> }> };

interface RecordedEntry {
  case: string;
  field_order: string[];
  fields: Record<string, string>;
}

const registry = new EventRegistry();

@RegisterEvent({ eventType: 'OrderPlaced', registry })
class OrderPlaced extends DomainEvent<OrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}

@RegisterEvent({ eventType: 'OrderShipped', registry })
class OrderShipped extends DomainEvent<OrderShipped> {
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}

@RegisterEvent({ eventType: 'OrderCancelled', registry })
class OrderCancelled extends DomainEvent<OrderCancelled> {
  static readonly aggregateType = 'Order';
  @IsString() readonly reason!: string;
}

const available = await redisAvailable();
const raw = new RedisTestClient();
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];
const codec = new EventCodec({ registry, payloadNaming: 'snake_case' });
const quiet = { error: () => undefined, warn: () => undefined };
const PYTHON_ISOFORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;

function pythonBus(config: RedisEventBusConfig = {}): { bus: RedisEventBus; prefix: string } {
  const prefix = `wire-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  const bus = new RedisEventBus(
    { redisUrl: REDIS_URL, streamPrefix: prefix, payloadNaming: 'snake_case', ...config },
    { registry, logger: quiet },
  );
  buses.push(bus);
  return { bus, prefix };
}

/** Bodies are equal after JSON.parse, with times compared to the millisecond (design §5). */
function expectSameBody(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  expect(new Date(actual.occurred_at as string).getTime()).toBe(new Date(expected.occurred_at as string).getTime());
  expect({ ...actual, occurred_at: null }).toEqual({ ...expected, occurred_at: null });
}

/** The recorded event rebuilt in TypeScript (microseconds are lost: Dates hold milliseconds). */
function rebuild(dict: Record<string, unknown>): DomainEvent {
  return codec.decode(dict);
}

describe.skipIf(!available)('RedisEventBus wire format (eventsource-py interop)', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.shutdown(5_000)));
  });
  afterAll(() => raw.cleanup(prefixes));

  it('consumes the entries eventsource-py wrote, as they are', async () => {
    const { bus, prefix } = pythonBus({ consumerGroup: 'node-service' });
    for (const entry of streamFixture.entries) {
      await raw.redis.xadd(`${prefix}:stream`, '*', ...entry.field_order.flatMap((name) => [name, entry.fields[name]!]));
    }
    const received: DomainEvent[] = [];
    for (const type of [OrderPlaced, OrderShipped, OrderCancelled]) bus.subscribe(type, (e: DomainEvent) => void received.push(e));
    await bus.startConsuming();
    await waitFor(() => received.length === streamFixture.entries.length);

    expect(received.map((e) => e.constructor)).toEqual([OrderPlaced, OrderShipped, OrderCancelled, OrderShipped]);
    streamFixture.entries.forEach((entry, i) => {
      expectSameBody(JSON.parse(JSON.stringify(codec.toBody(received[i]!))), JSON.parse(entry.fields.payload!));
    });
    const withContext = received[3] as OrderShipped;
    expect(withContext).toMatchObject({
      trackingNumber: 'TRACK-0002',
      actorId: 'user:alice@example.com',
      tenantId: '896e02cc-2be7-50a8-90a1-f6637f00edfb',
    });
    expect(withContext.metadata).toMatchObject({ request: { headers: { 'x-retry': 1 } }, tags: ['priority', 'gift'] });
    expect((received[0] as OrderPlaced).totalAmount).toBe(42.5);
    expect(bus.getStats()).toMatchObject({ eventsProcessedSuccess: 4, messagesSentToDlq: 0 });
  });

  it('publishes entries with the same fields, field order and formats', async () => {
    const { bus, prefix } = pythonBus();
    const events = eventsFixture.events.map((recorded) => rebuild(recorded.to_dict));
    await bus.publish(events);
    const written = await raw.redis.xrange(`${prefix}:stream`, '-', '+');
    expect(written).toHaveLength(streamFixture.entries.length);
    written.forEach(([, pairs], i) => {
      const recorded = streamFixture.entries[i]!;
      const names = pairs.filter((_, k) => k % 2 === 0);
      const fields = Object.fromEntries(names.map((name, k) => [name, pairs[2 * k + 1]!]));
      expect(names).toEqual(recorded.field_order);
      for (const key of ['event_id', 'event_type', 'aggregate_id', 'aggregate_type', 'tenant_id'])
        expect(fields[key]).toBe(recorded.fields[key]);
      expect(fields.occurred_at).toMatch(PYTHON_ISOFORMAT);
      // Same instant to the millisecond, written in Python's isoformat (e.g. .123000+00:00, or no fraction).
      expect(fields.occurred_at).toBe(recorded.fields.occurred_at!.replace(/\.(\d{3})\d{3}\+/, '.$1000+'));
      expectSameBody(JSON.parse(fields.payload!), JSON.parse(recorded.fields.payload!));
    });
  });

  it('reads, counts and replays a dead letter eventsource-py wrote', async () => {
    const { bus, prefix } = pythonBus({ consumerGroup: 'default' });
    const recorded = dlqFixture.entry;
    const id = (await raw.redis.xadd(
      `${prefix}:stream_dlq`,
      '*',
      ...recorded.field_order.flatMap((name) => [name, recorded.fields[name]!]),
    )) as string;
    expect(await bus.getDlqMessageCount()).toBe(1);
    const [letter] = await bus.getDlqMessages(10);
    expect(letter).toEqual({
      id,
      eventId: '33e109ff-9738-5b32-9c38-c15aec391b4e',
      eventType: 'OrderCancelled',
      reason: 'max_retries_exceeded',
      errorType: null,
      errorMessage: null,
      retryCount: 1,
      failedHandlers: [],
      timestamp: new Date('2026-11-27T09:15:14.859Z'),
      payload: recorded.fields.payload,
    });
    const replayed: OrderCancelled[] = [];
    bus.subscribe(OrderCancelled, (e) => void replayed.push(e));
    expect(await bus.replayDlqMessage(id)).toBe(true);
    expect(replayed.map((e) => e.reason)).toEqual(['Customer changed their mind']);
    expect(await bus.getDlqMessageCount()).toBe(0);
  });

  it('writes dead letters with eventsource-py fields first, then its own', async () => {
    const { bus, prefix } = pythonBus({ consumerGroup: 'billing', consumerName: 'billing-1', maxRetries: 0 });
    bus.subscribe(OrderCancelled, function refundHandler() {
      throw new RangeError('refund failed');
    });
    await bus.startConsuming();
    const [event] = eventsFixture.events.filter((e) => e.case === 'order_cancelled').map((e) => rebuild(e.to_dict));
    await bus.publish([event!]);
    await waitFor(async () => (await bus.getDlqMessageCount()) === 1);
    const [[originalId]] = await raw.redis.xrange(`${prefix}:stream`, '-', '+');
    const [[, pairs]] = await raw.redis.xrange(`${prefix}:stream_dlq`, '-', '+');
    const names = pairs!.filter((_, k) => k % 2 === 0);
    const fields = Object.fromEntries(names.map((name, k) => [name, pairs![2 * k + 1]!]));
    expect(names).toEqual([
      ...dlqFixture.entry.field_order,
      'dlq_reason',
      'dlq_error_type',
      'dlq_error_message',
      'dlq_failed_handlers',
      'dlq_consumer_group',
      'dlq_consumer_name',
    ]);
    expect(fields).toMatchObject({
      event_id: event!.eventId,
      original_message_id: originalId,
      retry_count: '0',
      dlq_reason: 'max_retries_exceeded',
      dlq_error_type: 'RangeError',
      dlq_error_message: 'refund failed',
      dlq_failed_handlers: '["refundHandler"]',
      dlq_consumer_group: 'billing',
      dlq_consumer_name: 'billing-1',
    });
    expect(fields.dlq_timestamp).toMatch(PYTHON_ISOFORMAT);
    expect(fields.occurred_at).toBe('2025-01-15T12:00:00+00:00');
  });
});
