import { readFileSync } from 'node:fs';
import type { ConsumeMessage } from 'amqplib';
import { IsNumber, IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvent, EventCodec, EventRegistry, RegisterEvent, type RabbitMQEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { deleteTopology, makeRabbitBus, quietLogger, rabbitAvailable, rawChannel, uniqueName } from './rabbitmq-fixtures.js';

/** eventsource-py v0.4.0's RabbitMQ recording (see fixtures/README in the shared wire folder). */
interface RecordedMessage {
  case: string;
  routing_key: string;
  body: string;
  wire_properties: {
    content_type: string;
    content_encoding: string;
    delivery_mode: number;
    priority: number;
    message_id: string;
    timestamp: { epoch_seconds: number };
    headers: Record<string, string | number>;
  };
}
const recording = JSON.parse(readFileSync(new URL('./fixtures/rabbitmq-message.json', import.meta.url), 'utf8')) as {
  messages: RecordedMessage[];
  topology: Array<{
    call: string;
    name?: string;
    type?: string;
    queue?: string;
    exchange?: string;
    routing_key?: string;
    kwargs?: Record<string, unknown>;
  }>;
  retry_and_dlq_chain: {
    steps: Array<{
      incoming_x_retry_count: number;
      published_to_exchange: string;
      routing_key: string;
      body: string;
      wire_properties: RecordedMessage['wire_properties'];
    }>;
  };
};

// The recording's event classes: Python field names are snake_case on the wire.
const wireRegistry = new EventRegistry();
@RegisterEvent({ registry: wireRegistry })
class OrderPlaced extends DomainEvent<OrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}
@RegisterEvent({ registry: wireRegistry })
class OrderShipped extends DomainEvent<OrderShipped> {
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}
@RegisterEvent({ registry: wireRegistry })
class OrderCancelled extends DomainEvent<OrderCancelled> {
  static readonly aggregateType = 'Order';
  @IsString() readonly reason!: string;
}

const codec = new EventCodec({ registry: wireRegistry, payloadNaming: 'snake_case' });
const normalized = (body: string): Record<string, unknown> => {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  return { ...parsed, occurred_at: new Date(parsed.occurred_at as string).toISOString() };
};

const available = await rabbitAvailable();

describe.skipIf(!available)('RabbitMQ wire format (eventsource-py v0.4.0 recording)', () => {
  const exchangeName = uniqueName('rmq-wire');
  const group = 'default';
  let bus: RabbitMQEventBus;

  beforeAll(() => {
    bus = makeRabbitBus({ exchangeName, consumerGroup: group, payloadNaming: 'snake_case', maxRetries: 3 }, wireRegistry, quietLogger());
  });
  afterAll(async () => {
    await bus.shutdown();
    await deleteTopology(exchangeName, [group, 'tap']);
  });

  it('publishes what eventsource-py publishes: routing key, properties, headers and body', async () => {
    await bus.connect();
    const { channel, close } = await rawChannel();
    const received: ConsumeMessage[] = [];
    await channel.assertQueue(`${exchangeName}.tap`, { durable: false });
    await channel.bindQueue(`${exchangeName}.tap`, exchangeName, '#');
    await channel.consume(`${exchangeName}.tap`, (message) => message && received.push(message), { noAck: true });

    await bus.publish(recording.messages.map((message) => codec.decode(message.body)));
    await waitFor(() => received.length === recording.messages.length);
    await close();

    recording.messages.forEach((expected, i) => {
      const actual = received[i];
      const wire = expected.wire_properties;
      expect(actual.fields.exchange, expected.case).toBe(exchangeName);
      expect(actual.fields.routingKey, expected.case).toBe(expected.routing_key);
      expect(actual.properties).toMatchObject({
        contentType: wire.content_type,
        contentEncoding: wire.content_encoding,
        deliveryMode: wire.delivery_mode,
        priority: wire.priority,
        messageId: wire.message_id,
        timestamp: wire.timestamp.epoch_seconds,
      });
      expect(actual.properties.correlationId, 'the AMQP correlation_id property stays unset').toBeUndefined();
      expect(actual.properties.headers, expected.case).toEqual(wire.headers);
      expect(Number.isInteger(actual.properties.headers?.aggregate_version)).toBe(true);
      expect(actual.properties.headers?.['x-retry-count']).toBe(0);
      expect(normalized(actual.content.toString('utf8')), expected.case).toEqual(normalized(expected.body));
    });
  });

  it('consumes messages shaped like the recording, and they are acked', async () => {
    const handled: DomainEvent[] = [];
    bus.subscribe(OrderPlaced, (event) => void handled.push(event));
    bus.subscribe(OrderShipped, (event) => void handled.push(event));
    bus.subscribe(OrderCancelled, (event) => void handled.push(event));
    await bus.startConsuming();

    const { channel, close } = await rawChannel();
    for (const message of recording.messages) {
      const wire = message.wire_properties;
      channel.publish(exchangeName, message.routing_key, Buffer.from(message.body, 'utf8'), {
        contentType: wire.content_type,
        contentEncoding: wire.content_encoding,
        deliveryMode: wire.delivery_mode,
        priority: wire.priority,
        messageId: wire.message_id,
        timestamp: wire.timestamp.epoch_seconds,
        headers: wire.headers,
      });
    }
    await channel.waitForConfirms();
    await close();

    await waitFor(() => handled.length === recording.messages.length);
    expect(handled.map((event) => normalized(JSON.stringify(codec.toBody(event))))).toEqual(
      recording.messages.map((m) => normalized(m.body)),
    );
    expect(handled[0]).toBeInstanceOf(OrderPlaced);
    expect((handled[0] as OrderPlaced).totalAmount).toBe(42.5);
    await bus.whenIdle();
    await waitFor(async () => (await bus.getQueueInfo()).messageCount === 0);
    expect(bus.getStats().eventsProcessedSuccess).toBeGreaterThanOrEqual(recording.messages.length);
  });

  it('takes the retry count of a message eventsource-py already retried from x-retry-count', async () => {
    const retried = recording.retry_and_dlq_chain.steps.find((step) => step.incoming_x_retry_count === 2)!;
    let attempts = 0;
    bus.subscribe(OrderCancelled, () => {
      attempts++;
      throw new Error('still failing');
    });
    // The step republished after the third failure carries x-retry-count 3 = maxRetries: one more try, then the DLQ.
    const incoming = { ...retried.wire_properties, headers: { ...retried.wire_properties.headers, 'x-retry-count': 3 } };
    const { channel, close } = await rawChannel();
    channel.publish(exchangeName, retried.routing_key, Buffer.from(retried.body, 'utf8'), {
      contentType: incoming.content_type,
      deliveryMode: incoming.delivery_mode,
      messageId: incoming.message_id,
      headers: incoming.headers,
    });
    await channel.waitForConfirms();
    await close();

    await waitFor(async () => (await bus.getDlqMessageCount()) === 1);
    expect(attempts).toBe(1);
    const [letter] = await bus.getDlqMessages(10);
    expect(letter).toMatchObject({
      eventId: incoming.message_id,
      eventType: 'OrderCancelled',
      reason: 'max_retries_exceeded',
      retryCount: 3,
    });
    expect(await bus.purgeDlq()).toBe(1);
  });

  it('shares a queue eventsource-py declared (same arguments), and names a mismatch clearly', async () => {
    const pyExchange = uniqueName('rmq-py');
    const { channel, close } = await rawChannel();
    // Replay the recorded declare/bind calls with this test's exchange name.
    const rename = (name: string): string => name.replace(/^interop/, pyExchange);
    for (const call of recording.topology) {
      const kwargs = (call.kwargs ?? {}) as { durable?: boolean; auto_delete?: boolean; arguments?: Record<string, string> | null };
      const options = { durable: kwargs.durable, autoDelete: kwargs.auto_delete };
      if (call.call === 'channel.declare_exchange') await channel.assertExchange(rename(call.name!), call.type!, options);
      if (call.call === 'channel.declare_queue') {
        const args = Object.fromEntries(Object.entries(kwargs.arguments ?? {}).map(([k, v]) => [k, rename(v)]));
        await channel.assertQueue(rename(call.name!), { ...options, arguments: args });
      }
      if (call.call === 'queue.bind') await channel.bindQueue(rename(call.queue!), rename(call.exchange!), rename(call.routing_key!));
    }
    await close();

    const shared = makeRabbitBus({ exchangeName: pyExchange, consumerGroup: 'default' }, wireRegistry);
    await expect(shared.getQueueInfo()).resolves.toMatchObject({ queue: `${pyExchange}.default`, messageCount: 0 });
    await shared.shutdown();

    const { channel: other, close: closeOther } = await rawChannel();
    await other.assertQueue(`${pyExchange}.mismatch`, { durable: true });
    await closeOther();
    const mismatched = makeRabbitBus({ exchangeName: pyExchange, consumerGroup: 'mismatch' }, wireRegistry);
    await expect(mismatched.getQueueInfo()).rejects.toMatchObject({
      name: 'BrokerConnectionError',
      message: expect.stringContaining('PRECONDITION_FAILED'),
    });
    // Only the declaring channel failed: the bus still publishes.
    await expect(mismatched.publish([codec.decode(recording.messages[0].body)])).resolves.toBeUndefined();
    await mismatched.shutdown();
    await deleteTopology(pyExchange, ['default', 'mismatch']);
  });
});
