import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PublishTimeoutError, RedisEventBus, type RedisEventBusConfig } from '../../../lib/index.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait-for.js';
import { RecoveryTick } from './fixtures/recovery-events.js';
import { REDIS_URL, RedisTestClient, redisAvailable } from './redis-test-utils.js';

const available = await redisAvailable();
const raw = new RedisTestClient();
const target = new URL(REDIS_URL);
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];
const logs: string[] = [];
const logger = { error: (m: string) => void logs.push(`error ${m}`), warn: (m: string) => void logs.push(`warn ${m}`) };
let proxy: TcpProxy;

function bus(config: RedisEventBusConfig, via: 'proxy' | 'direct' = 'proxy'): RedisEventBus {
  const url = new URL(REDIS_URL);
  if (via === 'proxy') {
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
  }
  const created = new RedisEventBus({ redisUrl: url.toString(), retryBaseDelayMs: 20, retryMaxDelayMs: 200, ...config }, { logger });
  buses.push(created);
  return created;
}

function freshPrefix(): string {
  const prefix = `faults-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
}

const tick = (n = 0) => new RecoveryTick({ aggregateId: randomUUID(), n });
const storedIds = async (prefix: string) =>
  (await raw.redis.xrange(`${prefix}:stream`, '-', '+')).map(([, fields]) => fields[fields.indexOf('event_id') + 1]);

describe.skipIf(!available)('RedisEventBus under network faults (TCP proxy)', () => {
  beforeEach(async () => {
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
  });

  afterEach(async () => {
    proxy.resume();
    await Promise.all(buses.splice(0).map((b) => b.shutdown(5_000)));
    await proxy.stop();
  });

  afterAll(async () => {
    if (process.env.SHOW_LOGS === 'true') process.stderr.write(logs.join('\n') + '\n');
    await raw.cleanup(prefixes);
  });

  it('reconnects after the connections are cut and resumes consuming', async () => {
    const prefix = freshPrefix();
    const seen: string[] = [];
    const consumer = bus({ streamPrefix: prefix, consumerGroup: 'g' });
    consumer.subscribe(RecoveryTick, (e) => void seen.push(e.eventId));
    await consumer.startConsuming();
    const publisher = bus({ streamPrefix: prefix }, 'direct');
    const [before, after] = [tick(1), tick(2)];
    await publisher.publish([before]);
    await waitFor(() => seen.length === 1);

    proxy.cutConnections();
    // Both of the consumer's connections (blocking reads, commands) go through the proxy.
    await waitFor(() => consumer.getStats().reconnections >= 2, 30_000);
    await publisher.publish([after]);
    // Recovery, not speed, is under test: a read lost with the cut is only rescued by the
    // socket watchdog (blockMs + a margin) and the pending re-read that follows.
    await waitFor(() => seen.length === 2, 30_000);
    expect(seen).toEqual([before.eventId, after.eventId]);
    expect((await consumer.healthCheck()).status).toBe('healthy');
  });

  it('finishes entries whose XREADGROUP reply was lost, by re-reading its own pending entries after reconnecting', async () => {
    const prefix = freshPrefix();
    const seen: string[] = [];
    const consumer = bus({ streamPrefix: prefix, consumerGroup: 'g', consumerName: 'c1' });
    consumer.subscribe(RecoveryTick, (e) => void seen.push(e.eventId));
    await consumer.startConsuming();
    const lost = tick(1);
    // Redis serves the entry to c1, but c1 never sees the reply: exactly what a reply lost with the connection leaves.
    const fields = [
      'event_id',
      lost.eventId,
      'event_type',
      lost.eventType,
      'aggregate_id',
      lost.aggregateId,
      'aggregate_type',
      lost.aggregateType,
      'tenant_id',
      '',
      'occurred_at',
      '',
      'payload',
      JSON.stringify(lost.toJSON()),
    ];
    await raw.redis
      .multi()
      .xadd(`${prefix}:stream`, '*', ...fields)
      .xreadgroup('GROUP', 'g', 'c1', 'COUNT', 10, 'STREAMS', `${prefix}:stream`, '>')
      .exec();
    expect(Number((await raw.redis.xpending(`${prefix}:stream`, 'g'))[0])).toBe(1);

    proxy.cutConnections();
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([lost.eventId]);
    expect(consumer.getStats().messagesRecovered).toBe(1);
  });

  it('detects a half-open connection (no FIN, no RST) with its watchdog, reconnects and resumes', async () => {
    const prefix = freshPrefix();
    const seen: string[] = [];
    const consumer = bus({ streamPrefix: prefix, consumerGroup: 'g', blockMs: 200 });
    consumer.subscribe(RecoveryTick, (e) => void seen.push(e.eventId));
    await consumer.startConsuming();
    const accepted = proxy.connectionsAccepted;
    proxy.pause();
    // The blocked read gets no reply within blockMs + grace: the watchdog drops the socket and dials again.
    await waitFor(() => proxy.connectionsAccepted > accepted, 10_000);
    expect(logs.some((line) => line.includes('consumer connection') && line.includes('Socket timeout'))).toBe(true);
    proxy.resume();
    const event = tick(3);
    await bus({ streamPrefix: prefix }, 'direct').publish([event]);
    await waitFor(() => seen.includes(event.eventId), 15_000);
    expect(consumer.getStats().reconnections).toBeGreaterThanOrEqual(1);
  });

  it('holds a publish made during an outage until Redis is back (within publishTimeoutMs)', async () => {
    const prefix = freshPrefix();
    const publisher = bus({ streamPrefix: prefix, publishTimeoutMs: 8_000 });
    await publisher.connect();
    proxy.refuse(1_000);
    const event = tick(4);
    await publisher.publish([event]);
    expect(await storedIds(prefix)).toEqual([event.eventId]);
  });

  it('rejects a publish with PublishTimeoutError when Redis stays away longer than publishTimeoutMs', async () => {
    const prefix = freshPrefix();
    const publisher = bus({ streamPrefix: prefix, publishTimeoutMs: 500 });
    await publisher.connect();
    proxy.pause();
    const event = tick(5);
    const error = await publisher.publish([event]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect(error).toMatchObject({ retriable: true, eventIds: [event.eventId] });
    proxy.resume();
    // Not lost silently either: the caller was told, and a later publish goes through.
    const next = tick(6);
    await publisher.publish([next]);
    expect(await storedIds(prefix)).toContain(next.eventId);
  });

  it('does not hold handlers back while acks travel a slow network, and shutdown waits for those acks', async () => {
    const prefix = freshPrefix();
    const events = Array.from({ length: 20 }, (_, i) => tick(i));
    await bus({ streamPrefix: prefix }, 'direct').publish(events);
    proxy.setLatency(100); // every reply of the consumer's connections arrives 200 ms after its request
    const handledAt: number[] = [];
    const consumer = bus({ streamPrefix: prefix, consumerGroup: 'g', concurrency: 1 });
    consumer.subscribe(RecoveryTick, () => void handledAt.push(performance.now()));
    await consumer.startConsuming(); // the group starts at 0: one XREADGROUP fetches all 20
    await waitFor(() => handledAt.length === 20, 20_000);
    // With one slot, waiting for each ack's round trip would take 20 x 200 ms = 4 s; the
    // handlers ran back to back instead (the margin allows a busy machine).
    expect(handledAt[19] - handledAt[0]).toBeLessThan(1_500);
    // The acks were still on their way when the handlers finished; shutdown waits for them.
    await consumer.shutdown(10_000);
    expect(Number((await raw.redis.xpending(`${prefix}:stream`, 'g'))[0])).toBe(0);
    expect(consumer.getStats()).toMatchObject({ eventsProcessedSuccess: 20, eventsConsumed: 20 });
  });
});
