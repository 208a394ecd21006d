import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { RabbitMQEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { deleteTopology, makeRabbitBus, placed, rabbitAvailable, rawChannel, RmqOrderPlaced, uniqueName } from './rabbitmq-fixtures.js';

const available = await rabbitAvailable();

describe.skipIf(!available)('RabbitMQEventBus retries and dead letters', () => {
  const exchangeName = uniqueName('rmq-dlq');
  const buses: RabbitMQEventBus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.shutdown()));
    await deleteTopology(exchangeName, ['poison', 'tools']);
  });

  function bus(group: string, config: Parameters<typeof makeRabbitBus>[0] = {}): RabbitMQEventBus {
    const created = makeRabbitBus({ exchangeName, consumerGroup: group, ...config });
    buses.push(created);
    return created;
  }

  it('dead-letters a poison message after exactly maxRetries + 1 attempts, with growing gaps, then acks it', async () => {
    // Time is the behaviour here: the gaps come from retryBaseDelayMs 40 doubling (no jitter).
    const consumer = bus('poison', { maxRetries: 3, retryBaseDelayMs: 40, retryMaxDelayMs: 1_000, retryJitter: 0 });
    const attempts: number[] = [];
    consumer.subscribe(RmqOrderPlaced, function alwaysFails() {
      attempts.push(performance.now());
      throw new RangeError('poison');
    });
    await consumer.startConsuming();
    const poison = placed(randomUUID(), 1);
    await consumer.publish([poison]);

    await waitFor(async () => (await consumer.getDlqMessageCount()) === 1);
    await consumer.whenIdle();
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]);
    // Timers never fire early, so each gap is at least its backoff (40, 80, 160 ms); a busy
    // machine can only stretch them, so the strict comparison uses the widest margin.
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(gaps[2]).toBeGreaterThanOrEqual(158);
    expect(gaps[2]).toBeGreaterThan(gaps[0]);
    expect(await consumer.getQueueInfo()).toMatchObject({ messageCount: 0, dlqMessageCount: 1 });

    // The dead letter as it sits in {queue}.dlq: original body and headers plus x-dlq-*.
    const { channel, close } = await rawChannel();
    const raw = await channel.get(`${exchangeName}.poison.dlq`, { noAck: false });
    if (!raw) throw new Error('no dead letter in the DLQ queue');
    channel.nack(raw, false, true);
    await close();
    expect(raw.fields.exchange).toBe(`${exchangeName}_dlq`);
    expect(raw.fields.routingKey).toBe(`${exchangeName}.poison`);
    expect(raw.properties.messageId).toBe(poison.eventId);
    expect(JSON.parse(raw.content.toString('utf8'))).toMatchObject({ event_id: poison.eventId, event_type: 'RmqOrderPlaced' });
    const headers = raw.properties.headers ?? {};
    expect(headers).toMatchObject({
      event_type: 'RmqOrderPlaced',
      aggregate_id: poison.aggregateId,
      'x-dlq-reason': 'max_retries_exceeded',
      'x-dlq-error-type': 'RangeError',
      'x-dlq-error-message': 'poison',
      'x-dlq-retry-count': 3,
      'x-dlq-failed-handlers': ['alwaysFails'],
      'x-dlq-consumer-group': 'poison',
      'x-original-routing-key': 'Order.RmqOrderPlaced',
    });
    expect(headers['x-dlq-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(headers['x-dlq-timestamp'] as string))).toBe(false);
  });

  it('lists dead letters without removing them, reads and removes one by x-dlq-id, purges the rest', async () => {
    const consumer = bus('tools', { maxRetries: 0 });
    consumer.subscribe(RmqOrderPlaced, () => {
      throw new Error('no');
    });
    await consumer.startConsuming();
    const events = Array.from({ length: 5 }, (_, i) => placed(randomUUID(), i));
    await consumer.publish(events);
    await waitFor(async () => (await consumer.getDlqMessageCount()) === 5);

    const listed = await consumer.getDlqMessages(3);
    expect(listed).toHaveLength(3);
    expect(await consumer.getDlqMessageCount()).toBe(5);
    const all = await consumer.getDlqMessages();
    expect(all.map((letter) => letter.eventId)).toEqual(events.map((e) => e.eventId));
    expect(new Set(all.map((letter) => letter.id)).size).toBe(5);

    const target = all[2];
    const fixed: string[] = [];
    consumer.clearSubscribers();
    consumer.subscribe(RmqOrderPlaced, (event) => void fixed.push(event.eventId));
    expect(await consumer.replayDlqMessage(target.id)).toBe(true);
    expect(fixed).toEqual([target.eventId]);
    expect(await consumer.replayDlqMessage(target.id)).toBe(false);
    expect(await consumer.replayDlqMessage('no-such-id')).toBe(false);
    expect((await consumer.getDlqMessages()).map((letter) => letter.eventId)).toEqual(
      events.map((e) => e.eventId).filter((id) => id !== target.eventId),
    );

    expect(await consumer.purgeDlq()).toBe(4);
    expect(await consumer.getDlqMessageCount()).toBe(0);
  });
});
