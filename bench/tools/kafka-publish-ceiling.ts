import 'reflect-metadata';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { deleteTopics, kafkaLocation, rawKafkaRecord } from '../broker/kafka.contenders.js';
import { suffix } from '../broker/session.js';
import { makeEvents } from '../harness/events.js';

/**
 * How fast KafkaEventBus.publish can go on this machine, by settings: list size, how many
 * publishes are in flight at once, acks and compression. One pass of `events` per setting.
 *   node --import @swc-node/register/esm-register bench/tools/kafka-publish-ceiling.ts [events]
 */
const { KafkaEventBus } = await import('../../lib/index.js');
const count = Number(process.argv[2] ?? 100_000);
const events = makeEvents(count, 500);

interface Setting {
  listSize: number;
  inFlight: number;
  acks: 'all' | 1;
  compressionType: 'gzip' | 'none';
}

const settings: Setting[] = [
  // The benchmark's setting first, then bigger lists, no compression, publishes in parallel, acks 1.
  { listSize: 100, inFlight: 1, acks: 'all', compressionType: 'gzip' },
  { listSize: 1000, inFlight: 1, acks: 'all', compressionType: 'gzip' },
  { listSize: 1000, inFlight: 1, acks: 'all', compressionType: 'none' },
  { listSize: 1000, inFlight: 4, acks: 'all', compressionType: 'none' },
  { listSize: 1000, inFlight: 4, acks: 1, compressionType: 'none' },
  { listSize: 5000, inFlight: 4, acks: 1, compressionType: 'none' },
];

/** Publishes every event in lists of listSize, inFlight lists at a time; returns events/s. */
async function publishAll(setting: Setting, publish: (list: typeof events) => Promise<unknown>): Promise<number> {
  const lists: (typeof events)[] = [];
  for (let i = 0; i < events.length; i += setting.listSize) lists.push(events.slice(i, i + setting.listSize));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: setting.inFlight }, async () => {
      while (next < lists.length) await publish(lists[next++]);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function pass(setting: Setting): Promise<number> {
  const topicPrefix = `bench-ceiling-${suffix()}`;
  const bus = new KafkaEventBus({
    bootstrapServers: kafkaLocation().brokers,
    topicPrefix,
    acks: setting.acks,
    compressionType: setting.compressionType,
  });
  await bus.connect();
  try {
    return await publishAll(setting, (list) => bus.publish(list));
  } finally {
    await bus.shutdown(10_000);
    await deleteTopics([`${topicPrefix}.stream`, `${topicPrefix}.stream.dlq`, `${topicPrefix}.stream.dlq.replayed`]);
  }
}

/** The same records sent by a bare kafkajs producer, for the best setting above: what the client allows. */
async function rawPass(setting: Setting): Promise<number> {
  const topic = `bench-ceiling-raw-${suffix()}`;
  const kafka = new Kafka({ clientId: 'bench-ceiling', brokers: kafkaLocation().brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    return await publishAll(setting, (list) =>
      producer.send({
        topic,
        acks: setting.acks === 'all' ? -1 : setting.acks,
        compression: setting.compressionType === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: list.map(rawKafkaRecord),
      }),
    );
  } finally {
    await producer.disconnect();
    await deleteTopics([topic]);
  }
}

console.log(`KafkaEventBus.publish ceiling, ${count.toLocaleString('en-US')} events per pass (6 partitions, one broker)`);
for (const setting of settings) {
  await pass({ ...setting }); // warm-up of this setting
  const rate = await pass(setting);
  console.log(
    `  lists of ${String(setting.listSize).padStart(4)}, ${setting.inFlight} in flight, acks ${String(setting.acks).padEnd(3)}, ${setting.compressionType.padEnd(4)}: ${Math.round(rate).toLocaleString('en-US').padStart(7)} events/s`,
  );
}
const best = settings[settings.length - 2];
await rawPass(best);
const raw = await rawPass(best);
console.log(
  `  raw kafkajs producer, lists of ${best.listSize}, ${best.inFlight} in flight, acks ${best.acks}, ${best.compressionType}: ${Math.round(raw).toLocaleString('en-US')} events/s`,
);
