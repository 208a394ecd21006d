import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishTimeoutError, type RabbitMQEventBus } from '../../../lib/index.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait-for.js';
import {
  deleteTopology,
  makeRabbitBus,
  placed,
  quietLogger,
  RABBITMQ_URL,
  rabbitAvailable,
  rawChannel,
  RmqOrderPlaced,
  uniqueName,
} from './rabbitmq-fixtures.js';

const available = await rabbitAvailable();
const FAST_RECONNECT = { reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 400 };

describe.skipIf(!available)('RabbitMQEventBus under connection faults', () => {
  const exchangeName = uniqueName('rmq-faults');
  const groups = ['cut-consumer', 'cut-publisher', 'outage', 'channel-error', 'producer'];
  const buses: RabbitMQEventBus[] = [];
  let proxy: TcpProxy;
  let viaProxy: string;

  beforeAll(async () => {
    const target = new URL(RABBITMQ_URL);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5672));
    const port = await proxy.start();
    const url = new URL(RABBITMQ_URL);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    viaProxy = url.toString();
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.shutdown()));
    await proxy.stop();
    await deleteTopology(exchangeName, groups);
  });

  function bus(group: string, config: Parameters<typeof makeRabbitBus>[0] = {}, logger = quietLogger()): RabbitMQEventBus {
    const created = makeRabbitBus({ exchangeName, consumerGroup: group, ...FAST_RECONNECT, ...config }, undefined, logger);
    buses.push(created);
    return created;
  }

  it('a consumer whose connection is cut recovers: nothing lost, one reconnection, no ack on the new channel', async () => {
    const logger = quietLogger();
    const consumer = bus('cut-consumer', { rabbitmqUrl: viaProxy, concurrency: 8 }, logger);
    const handled = new Map<string, number>();
    consumer.subscribe(RmqOrderPlaced, async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      handled.set(event.eventId, (handled.get(event.eventId) ?? 0) + 1);
    });
    await consumer.startConsuming();
    const aggregates = Array.from({ length: 30 }, () => randomUUID());
    const events = Array.from({ length: 300 }, (_, i) => placed(aggregates[i % 30], i, Math.floor(i / 30) + 1));
    await bus('producer').publish(events);

    await waitFor(() => handled.size >= 60);
    proxy.cutConnections();
    await waitFor(() => (consumer.getStats().reconnections ?? 0) >= 1);
    await waitFor(() => handled.size === events.length, 20_000);
    await consumer.whenIdle();
    await waitFor(async () => (await consumer.getQueueInfo()).messageCount === 0);

    expect([...handled.keys()].sort()).toEqual(events.map((e) => e.eventId).sort());
    // Acks of deliveries from the dead channel are dropped; an ack on the wrong channel would
    // close the new one (PRECONDITION_FAILED) and force a second reconnection.
    expect(consumer.getStats().reconnections).toBe(1);
    expect(logger.lines.filter((line) => line.includes('PRECONDITION_FAILED'))).toEqual([]);
    expect(await consumer.healthCheck()).toMatchObject({ healthy: true, status: 'healthy' });
  });

  it('a publish cut mid-way is completed after the reconnect (unconfirmed messages are sent again)', async () => {
    const received = new Set<string>();
    const consumer = bus('cut-publisher');
    consumer.subscribe(RmqOrderPlaced, (event) => void received.add(event.eventId));
    await consumer.startConsuming();
    const publisher = bus('cut-publisher-producer', { rabbitmqUrl: viaProxy, confirmWindow: 50, publishTimeoutMs: 30_000 });
    groups.push('cut-publisher-producer');
    await publisher.connect();

    const events = Array.from({ length: 2_000 }, (_, i) => placed(randomUUID(), i));
    let settled = false;
    const publishing = publisher.publish(events).finally(() => (settled = true));
    await waitFor(() => received.size > 0);
    proxy.refuse(300);
    expect(settled, 'the cut must happen while the publish is in progress').toBe(false);
    await expect(publishing).resolves.toBeUndefined();

    // At least once: every event arrives; a message whose confirm was lost may arrive twice.
    await waitFor(() => received.size === events.length, 20_000);
    expect(publisher.getStats().eventsPublished).toBe(events.length);
  });

  it('a publish during an outage longer than publishTimeoutMs rejects with PublishTimeoutError, then publishing recovers', async () => {
    const publisher = bus('outage', { rabbitmqUrl: viaProxy, publishTimeoutMs: 600 });
    await publisher.connect();
    proxy.refuse(1_500);
    await waitFor(async () => (await publisher.healthCheck()).status === 'degraded');
    const health = await publisher.healthCheck();
    expect(health).toMatchObject({ healthy: false });
    expect(JSON.stringify(health)).not.toContain('guest:guest');

    const error = await publisher.publish([placed(randomUUID(), 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect(error).toMatchObject({ retriable: true });

    await waitFor(async () => (await publisher.healthCheck()).healthy, 10_000);
    await expect(publisher.publish([placed(randomUUID(), 2)])).resolves.toBeUndefined();
  });

  it('notices a silent network (half-open connection) through heartbeats and reconnects', async () => {
    groups.push('silent');
    const consumer = bus('silent', { rabbitmqUrl: viaProxy, heartbeatMs: 1_000, socketOptions: { timeout: 1_000 } });
    const seen = new Set<string>();
    consumer.subscribe(RmqOrderPlaced, (event) => void seen.add(event.eventId));
    await consumer.startConsuming();

    proxy.pause();
    // No FIN, no RST: only missing heartbeats reveal the dead peer (two intervals).
    await waitFor(async () => (await consumer.healthCheck()).details.connected === false, 15_000);
    proxy.resume();
    const event = placed(randomUUID(), 1);
    await bus('producer').publish([event]);
    await waitFor(() => seen.has(event.eventId), 15_000);
    expect(consumer.getStats().reconnections).toBeGreaterThanOrEqual(1);
  }, 45_000);

  it('recovers a channel the broker closed (exchange deleted under a running bus) and re-declares the topology', async () => {
    const logger = quietLogger();
    const publisher = bus('channel-error', {}, logger);
    await publisher.publish([placed(randomUUID(), 1)]);
    const { channel, close } = await rawChannel();
    await channel.deleteExchange(exchangeName);
    await close();

    // The first publish hits a missing exchange: 404 closes the channel; the bus reconnects,
    // declares the exchange again and sends the unconfirmed message once more.
    await expect(publisher.publish([placed(randomUUID(), 2)])).resolves.toBeUndefined();
    expect(logger.lines.some((line) => line.includes('NOT_FOUND'))).toBe(true);
    const check = await rawChannel();
    await expect(check.channel.checkExchange(exchangeName)).resolves.toBeDefined();
    await check.close();
  });
});
