import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisEventBus, type RedisEventBusConfig } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { handledKey, RecoveryTick } from './fixtures/recovery-events.js';
import { REDIS_URL, RedisTestClient, redisAvailable } from './redis-test-utils.js';

const available = await redisAvailable();
const raw = new RedisTestClient();
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];
const children: ChildProcess[] = [];
const logs: string[] = [];
const logger = { error: (m: string) => void logs.push(`error ${m}`), warn: (m: string) => void logs.push(`warn ${m}`) };

function prefix(label: string): string {
  const value = `recovery-${label}-${randomBytes(4).toString('hex')}`;
  prefixes.push(value);
  return value;
}

function bus(config: RedisEventBusConfig): RedisEventBus {
  const created = new RedisEventBus({ redisUrl: REDIS_URL, retryBaseDelayMs: 20, retryMaxDelayMs: 200, ...config }, { logger });
  buses.push(created);
  return created;
}

function ticks(count: number): RecoveryTick[] {
  return Array.from({ length: count }, (_, n) => new RecoveryTick({ aggregateId: randomUUID(), n }));
}

function spawnConsumer(env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'test/integration/redis/fixtures/crashing-consumer.ts'],
    {
      env: { ...process.env, REDIS_URL, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

describe.skipIf(!available)('RedisEventBus recovery', () => {
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(buses.splice(0).map((b) => b.shutdown(5_000)));
  });

  afterAll(async () => {
    await raw.redis.del(...prefixes.map(handledKey));
    await raw.cleanup(prefixes);
  });

  it('lets another consumer finish the entries of a consumer killed mid-batch (XAUTOCLAIM), each at least once', async () => {
    const p = prefix('sigkill');
    const group = 'workers';
    const events = ticks(40);
    await bus({ streamPrefix: p }).publish(events);
    const child = spawnConsumer({ STREAM_PREFIX: p, CONSUMER_GROUP: group, CONSUMER_NAME: 'doomed', HANDLE_MS: '40' });
    // A child process starts slowly on a loaded machine (it compiles TypeScript on the fly).
    await waitFor(async () => (await raw.redis.llen(handledKey(p))) >= 4, 60_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const pendingOfDead = Number((await raw.redis.xpending(`${p}:stream`, group))[0]);
    expect(pendingOfDead).toBeGreaterThan(0);

    const survivor = bus({
      streamPrefix: p,
      consumerGroup: group,
      consumerName: 'survivor',
      handlerTimeoutMs: 500,
      pendingIdleMs: 1_000,
      claimIntervalMs: 200,
    });
    survivor.subscribe(RecoveryTick, async (e) => void (await raw.redis.rpush(handledKey(p), `survivor:${e.eventId}`)));
    await survivor.startConsuming();
    const handled = async () => (await raw.redis.lrange(handledKey(p), 0, -1)).map((entry) => entry.split(':')[1]!);
    await waitFor(async () => new Set(await handled()).size === events.length, 20_000);
    await survivor.whenIdle();
    const all = await handled();
    const duplicates = all.length - new Set(all).size;
    expect(new Set(all)).toEqual(new Set(events.map((e) => e.eventId)));
    expect(duplicates).toBeGreaterThanOrEqual(0); // at-least-once: a handler that finished just before the kill runs again
    expect(survivor.getStats().messagesRecovered).toBe(pendingOfDead);
    expect(Number((await raw.redis.xpending(`${p}:stream`, group))[0])).toBe(0);
    expect(logs.some((line) => line.includes('claimed') && line.includes('pendingIdleMs'))).toBe(true);
  }, 120_000);

  it('finishes its own pending entries first when restarted under the same consumer name', async () => {
    const p = prefix('same-name');
    const stream = `${p}:stream`;
    const events = ticks(12);
    await raw.redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    await bus({ streamPrefix: p }).publish(events);
    // The previous life of consumer "pod-1" fetched everything, then died before acking.
    await raw.redis.xreadgroup('GROUP', 'g', 'pod-1', 'COUNT', 100, 'STREAMS', stream, '>');
    const later = ticks(1)[0]!;
    await bus({ streamPrefix: p }).publish([later]);

    const order: string[] = [];
    const restarted = bus({ streamPrefix: p, consumerGroup: 'g', consumerName: 'pod-1' });
    restarted.subscribe(RecoveryTick, (e) => void order.push(e.eventId));
    await restarted.startConsuming();
    await waitFor(() => order.length === 13);
    expect(order.slice(0, 12).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(order[12]).toBe(later.eventId);
    expect(restarted.getStats().messagesRecovered).toBe(12);
    await restarted.whenIdle();
    expect(Number((await raw.redis.xpending(stream, 'g'))[0])).toBe(0);
  });

  it('recreates its consumer group with a warning when the stream disappears (Redis back empty) and goes on', async () => {
    const p = prefix('nogroup');
    const seen: string[] = [];
    const consumer = bus({ streamPrefix: p, consumerGroup: 'g', blockMs: 200 });
    consumer.subscribe(RecoveryTick, (e) => void seen.push(e.eventId));
    await consumer.startConsuming();
    const [first, second] = ticks(2);
    await consumer.publish([first!]);
    await waitFor(() => seen.length === 1);

    await raw.redis.del(`${p}:stream`); // what a restart without persistence (or FLUSHALL) leaves behind
    await waitFor(() => logs.some((line) => line.startsWith('warn') && line.includes(`'g' of ${p}:stream no longer exists`)));
    await consumer.publish([second!]);
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([first!.eventId, second!.eventId]);
    const info = await consumer.getStreamInfo();
    expect(info.consumerGroups.map((g) => g.name)).toEqual(['g']);
  });
});

describe.skipIf(!available)('RedisEventBus redelivery limit', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.shutdown(5_000)));
  });

  it('dead-letters an entry delivered more than maxRetries + 1 times without running its handler again', async () => {
    const p = prefix('redelivered');
    const group = 'workers';
    const consumerName = `crashy-${randomBytes(3).toString('hex')}`;
    const [event] = ticks(1);
    const publisher = bus({ streamPrefix: p, consumerGroup: group });
    await publisher.publish([event]);
    // A consumer that crashed on this entry three times: each read from its own pending list
    // raises the delivery counter, as a restart after each crash would.
    await raw.redis.xgroup('CREATE', `${p}:stream`, group, '0', 'MKSTREAM').catch(() => undefined);
    await raw.redis.xreadgroup('GROUP', group, consumerName, 'COUNT', 1, 'STREAMS', `${p}:stream`, '>');
    for (let i = 0; i < 2; i++) await raw.redis.xreadgroup('GROUP', group, consumerName, 'COUNT', 1, 'STREAMS', `${p}:stream`, '0');
    let handled = 0;
    const consumer = bus({ streamPrefix: p, consumerGroup: group, consumerName, maxRetries: 2 });
    consumer.subscribe(RecoveryTick, () => void handled++);
    await consumer.startConsuming();
    await waitFor(async () => (await consumer.getDlqMessageCount()) === 1, 10_000);
    const [letter] = await consumer.getDlqMessages();
    expect(letter).toMatchObject({ eventId: event.eventId, reason: 'max_retries_exceeded', errorType: 'RedeliveryLimitExceeded' });
    expect(handled).toBe(0);
    expect(consumer.getStats().messagesSentToDlq).toBe(1);
  });
});
