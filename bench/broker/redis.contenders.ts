import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BenchOrderPlaced } from '../harness/events.js';
import {
  CONSUMER_CONCURRENCY,
  forEachLimit,
  fromWireBody,
  suffix,
  type BrokerContender,
  type BrokerSession,
  type OurBrokerBusClass,
  type ReceiveCallback,
} from './session.js';

export function redisLocation(): { url: string; host: string; port: number } {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const parsed = new URL(url);
  return { url, host: parsed.hostname, port: Number(parsed.port || 6379) };
}

async function deleteKeys(...keys: string[]): Promise<void> {
  const client = new Redis(redisLocation().url);
  try {
    await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

export function oursRedis(RedisEventBus: OurBrokerBusClass): BrokerContender {
  return {
    name: 'nestjs-eventsource RedisEventBus',
    describe: 'bus.publish(list of 100) awaited (one pipelined XADD batch); one consumer, concurrency 16, XREADGROUP COUNT 100',
    async open(): Promise<BrokerSession> {
      const streamPrefix = `bench-ours-${suffix()}`;
      const bus = new RedisEventBus({
        redisUrl: redisLocation().url,
        streamPrefix,
        consumerGroup: 'bench',
        concurrency: CONSUMER_CONCURRENCY,
        blockMs: 1000,
      });
      return {
        publish: (list) => bus.publish(list as BenchOrderPlaced[]),
        async startConsumer(onEvent: ReceiveCallback) {
          bus.subscribe(BenchOrderPlaced, (e) =>
            onEvent({ eventId: e.eventId, totalAmount: e.totalAmount, aggregateVersion: e.aggregateVersion }),
          );
          await bus.startConsuming();
        },
        async close() {
          await bus.shutdown(10_000);
          await deleteKeys(`${streamPrefix}:stream`, `${streamPrefix}:stream_dlq`);
        },
      };
    },
  };
}

/** The same stream entries our bus writes (eventsource-py's 7 fields), written and read by hand. */
export function rawIoredis(): BrokerContender {
  return {
    name: 'raw ioredis (XADD pipeline / XREADGROUP)',
    endToEndTarget: 0.7,
    describe: 'pipeline of 100 XADD awaited; XREADGROUP COUNT 100 BLOCK 1000, JSON.parse, handlers 16 at a time, one XACK per batch',
    async open(): Promise<BrokerSession> {
      const stream = `bench-raw-${suffix()}:stream`;
      const writer = new Redis(redisLocation().url);
      const reader = new Redis(redisLocation().url);
      let running = false;
      let loop: Promise<void> = Promise.resolve();
      return {
        async publish(list) {
          const pipeline = writer.pipeline();
          for (const event of list) {
            pipeline.xadd(
              stream,
              '*',
              'event_id',
              event.eventId,
              'event_type',
              event.eventType,
              'aggregate_id',
              event.aggregateId,
              'aggregate_type',
              event.aggregateType,
              'tenant_id',
              event.tenantId ?? '',
              'occurred_at',
              event.occurredAt.toISOString(),
              'payload',
              JSON.stringify(event.toJSON()),
            );
          }
          const replies = (await pipeline.exec()) ?? [];
          for (const [error] of replies) if (error) throw error;
        },
        async startConsumer(onEvent) {
          await writer.xgroup('CREATE', stream, 'bench', '$', 'MKSTREAM');
          running = true;
          loop = (async () => {
            while (running) {
              const reply = (await reader.xreadgroup('GROUP', 'bench', 'c1', 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', stream, '>')) as
                [string, [string, string[]][]][] | null;
              if (!reply) continue;
              const entries = reply[0][1];
              await forEachLimit(entries, CONSUMER_CONCURRENCY, ([, fields]) =>
                onEvent(fromWireBody(JSON.parse(fields[13]) as Record<string, unknown>)),
              );
              await writer.xack(stream, 'bench', ...entries.map(([id]) => id));
            }
          })();
        },
        async close() {
          running = false;
          await loop;
          await writer.del(stream);
          reader.disconnect();
          writer.disconnect();
        },
      };
    },
  };
}

export function bullmq(): BrokerContender {
  return {
    name: 'BullMQ (addBulk / Worker)',
    endToEndTarget: 3,
    describe: 'queue.addBulk(100 jobs) awaited; one Worker with concurrency 16; removeOnComplete',
    async open(): Promise<BrokerSession> {
      const { host, port } = redisLocation();
      const name = `bench-bullmq-${suffix()}`;
      const queue = new Queue(name, { connection: { host, port } });
      let worker: Worker | undefined;
      return {
        async publish(list) {
          await queue.addBulk(
            list.map((e) => ({ name: e.eventType, data: e.toJSON(), opts: { removeOnComplete: true, removeOnFail: true } })),
          );
        },
        async startConsumer(onEvent) {
          worker = new Worker(name, async (job) => onEvent(fromWireBody(job.data as Record<string, unknown>)), {
            connection: { host, port, maxRetriesPerRequest: null },
            concurrency: CONSUMER_CONCURRENCY,
          });
          await worker.waitUntilReady();
        },
        async close() {
          await worker?.close();
          await queue.obliterate({ force: true });
          await queue.close();
        },
      };
    },
  };
}
