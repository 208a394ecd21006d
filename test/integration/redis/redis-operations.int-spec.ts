import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BrokerConnectionError, PublishRejectedError, RedisEventBus, type RedisEventBusConfig } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { RecoveryTick } from './fixtures/recovery-events.js';
import { REDIS_URL, RedisTestClient, redisAvailable } from './redis-test-utils.js';

const available = await redisAvailable();
const raw = new RedisTestClient();
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];
const logs: string[] = [];
const logger = {
  error: (m: string, ...meta: unknown[]) => void logs.push(`${m} ${meta.join(' ')}`),
  warn: (m: string, ...meta: unknown[]) => void logs.push(`${m} ${meta.join(' ')}`),
};
const SECRET = 'n0t-f0r-l0gs';

function bus(config: RedisEventBusConfig = {}): { bus: RedisEventBus; prefix: string } {
  const prefix = `ops-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  const created = new RedisEventBus({ redisUrl: REDIS_URL, streamPrefix: prefix, ...config }, { logger });
  buses.push(created);
  return { bus: created, prefix };
}

const ticks = (count: number) => Array.from({ length: count }, (_, n) => new RecoveryTick({ aggregateId: randomUUID(), n }));

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!available)('RedisEventBus operations', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.shutdown(5_000)));
  });
  afterAll(() => raw.cleanup(prefixes));

  it('reports stream info: length, groups, pending entries of its group, last id, DLQ length', async () => {
    const { bus: consumer, prefix } = bus({ consumerGroup: 'projections', maxRetries: 0 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    consumer.subscribe(RecoveryTick, async (e) => {
      if (e.n === 0) throw new Error('poison');
      await held;
    });
    await consumer.startConsuming();
    await consumer.publish(ticks(3));
    await waitFor(async () => (await consumer.getDlqMessageCount()) === 1);
    const info = await consumer.getStreamInfo();
    expect(info).toMatchObject({
      stream: `${prefix}:stream`,
      length: 3,
      groups: 1,
      pending: 2,
      dlqStream: `${prefix}:stream_dlq`,
      dlqLength: 1,
    });
    expect(info.lastGeneratedId).toMatch(/^\d+-\d+$/);
    expect(info.consumerGroups[0]).toMatchObject({ name: 'projections', pending: 2, lag: 0 });
    release();
    await waitFor(async () => (await consumer.getStreamInfo()).pending === 0);
    expect(await consumer.purgeDlq()).toBe(1);
    expect(await consumer.getDlqMessageCount()).toBe(0);
  });

  it("keeps each group's dead letters to itself on a shared dead-letter stream", async () => {
    const { bus: billing, prefix } = bus({ consumerGroup: 'billing', maxRetries: 0 });
    const { bus: shipping } = bus({ streamPrefix: prefix, consumerGroup: 'shipping' });
    let shippingCalls = 0;
    billing.subscribe(RecoveryTick, function chargeHandler() {
      throw new Error('card declined');
    });
    shipping.subscribe(RecoveryTick, () => void shippingCalls++);
    await Promise.all([billing.startConsuming(), shipping.startConsuming()]);
    await billing.publish(ticks(2));
    await waitFor(async () => (await billing.getDlqMessageCount()) === 2 && shippingCalls === 2);

    const [letter] = await billing.getDlqMessages();
    expect(await shipping.getDlqMessageCount()).toBe(0);
    expect(await shipping.getDlqMessages()).toEqual([]);
    expect(await shipping.replayDlqMessage(letter!.id)).toBe(false); // not shipping's failure: no duplicate there
    expect(await shipping.purgeDlq()).toBe(0);
    expect(shippingCalls).toBe(2);
    expect((await billing.getStreamInfo()).dlqLength).toBe(2);
    expect(await billing.purgeDlq()).toBe(2);
    expect(await raw.redis.xlen(`${prefix}:stream_dlq`)).toBe(0);
  });

  it('consumes again after stopConsuming() and after disconnect()', async () => {
    const { bus: consumer } = bus({ consumerGroup: 'again' });
    const seen: number[] = [];
    consumer.subscribe(RecoveryTick, (e) => void seen.push(e.n));
    const [a, b, c] = ticks(3);
    await consumer.startConsuming();
    await consumer.publish([a!]);
    await waitFor(() => seen.length === 1);
    await consumer.stopConsuming();
    await consumer.publish([b!]);
    await consumer.startConsuming();
    await waitFor(() => seen.length === 2);
    await consumer.disconnect();
    expect(await consumer.healthCheck()).toMatchObject({ healthy: false });
    await consumer.publish([c!]); // connects on demand
    await consumer.startConsuming();
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([a!.n, b!.n, c!.n]);
  });

  it('reports an empty stream that does not exist yet', async () => {
    const { bus: fresh, prefix } = bus();
    expect(await fresh.getStreamInfo()).toMatchObject({
      stream: `${prefix}:stream`,
      length: 0,
      groups: 0,
      pending: 0,
      lastGeneratedId: null,
      dlqLength: 0,
    });
  });

  it('trims the stream approximately with maxLen', async () => {
    const { bus: publisher, prefix } = bus({ maxLen: 10 });
    for (let i = 0; i < 3; i++) await publisher.publish(ticks(100));
    const length = await raw.redis.xlen(`${prefix}:stream`);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
  });

  it('rejects a publish Redis refuses with PublishRejectedError naming the event ids', async () => {
    const { bus: publisher, prefix } = bus();
    await raw.redis.set(`${prefix}:stream`, 'not a stream');
    const events = ticks(2);
    const error = await publisher.publish(events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishRejectedError);
    expect(error).toMatchObject({ acceptedEventIds: [], rejectedEventIds: events.map((e) => e.eventId) });
    expect((error as Error).message).toContain('WRONGTYPE');
  });

  it('never shows the password: connection errors, logs, health and stats are redacted', async () => {
    const port = await closedPort();
    const { bus: unreachable } = bus({ redisUrl: `redis://app:${SECRET}@127.0.0.1:${port}/0`, connectTimeoutMs: 300 });
    const error = await unreachable.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error).toMatchObject({ retriable: true });
    expect((error as Error).message).toContain(`redis://app:***@127.0.0.1:${port}/0`);
    expect((error as Error).message).not.toContain(SECRET);
    const health = await unreachable.healthCheck();
    expect(health).toMatchObject({ healthy: false, status: 'unhealthy' });
    expect(health.details.url).toBe(`redis://app:***@127.0.0.1:${port}/0`);
    expect(JSON.stringify(health)).not.toContain(SECRET);
    expect(JSON.stringify(unreachable.getStats())).not.toContain(SECRET);
    await expect(unreachable.publish(ticks(1))).rejects.not.toThrow(SECRET);

    const { bus: separatePassword } = bus({ redisUrl: `redis://127.0.0.1:${port}`, password: SECRET, connectTimeoutMs: 300 });
    const other = await separatePassword.connect().catch((e: unknown) => e);
    expect(String((other as Error).message)).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('is healthy while consuming, and unhealthy before it connected', async () => {
    const { bus: idle } = bus();
    expect(await idle.healthCheck()).toMatchObject({ healthy: false, status: 'unhealthy' });
    const { bus: consumer, prefix } = bus({ consumerGroup: 'health' });
    consumer.subscribe(RecoveryTick, () => undefined);
    await consumer.startConsuming();
    const report = await consumer.healthCheck();
    expect(report).toMatchObject({
      healthy: true,
      status: 'healthy',
      details: { stream: `${prefix}:stream`, consumerGroup: 'health', groupExists: true, consuming: true },
    });
    expect(report.details.latencyMs).toBeTypeOf('number');
  });
});
