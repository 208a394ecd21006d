import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { KafkaEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { crashRegistry, ParcelScanned } from './fixtures/crash-events.js';
import { KAFKA_BROKERS, KafkaTestClient, makeKafkaBus, quietLogger, uniqueName, useKafkaBroker } from './kafka-test-utils.js';

const available = await useKafkaBroker();
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/kafka-consumer-child.ts', import.meta.url));

interface ChildMessage {
  type: 'ready' | 'received' | 'log';
  eventId?: string;
  assignedPartitions?: number[];
  message?: string;
}

function startChild(env: Record<string, string>): { child: ChildProcess; messages: ChildMessage[] } {
  const messages: ChildMessage[] = [];
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKA_BROKERS, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.on('message', (message: ChildMessage) => void messages.push(message));
  return { child, messages };
}

describe.skipIf(!available)('KafkaEventBus when a consumer process is killed', () => {
  const raw = new KafkaTestClient();
  const topicPrefix = uniqueName('crash');
  const buses: KafkaEventBus[] = [];
  let child: ChildProcess | undefined;

  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all(buses.map((b) => b.shutdown(5_000)));
    await raw.deleteTopics([topicPrefix]);
    await raw.close();
  });

  it('redelivers the events a SIGKILLed consumer had not committed to the surviving consumer', async () => {
    const group = uniqueName('g');
    const publisher = makeKafkaBus({ topicPrefix, partitions: 2, consumerGroup: uniqueName('publisher') }, { registry: crashRegistry });
    buses.push(publisher);
    await publisher.connect(); // creates the topic with 2 partitions before either consumer joins

    const started = startChild({ TOPIC_PREFIX: topicPrefix, CONSUMER_GROUP: group, PARTITIONS: '2' });
    child = started.child;
    await waitFor(() => started.messages.some((m) => m.type === 'ready'), 30_000);

    const handled: string[] = [];
    const logger = quietLogger();
    const survivor = makeKafkaBus(
      { topicPrefix, partitions: 2, consumerGroup: group, consumerName: 'survivor' },
      { registry: crashRegistry, logger },
    );
    buses.push(survivor);
    survivor.subscribe(ParcelScanned, (e) => void handled.push(e.eventId));
    await survivor.startConsuming();
    expect((await survivor.getTopicInfo()).assignedPartitions).toHaveLength(1);

    const events = Array.from({ length: 20 }, () => randomUUID()).flatMap((aggregateId) =>
      [1, 2, 3].map((version) => new ParcelScanned({ aggregateId, aggregateVersion: version, station: version })),
    );
    await publisher.publish(events);
    const receivedByChild = () => started.messages.filter((m) => m.type === 'received').map((m) => m.eventId!);
    // The child holds one partition: it took some events and is stuck handling them.
    await waitFor(() => receivedByChild().length > 0 && handled.length + receivedByChild().length >= events.length / 2, 20_000);
    const stuck = receivedByChild();
    expect(stuck.every((id) => !handled.includes(id))).toBe(true);

    child.kill('SIGKILL');
    // After the child's session times out (6 s), its partition moves to the survivor, which
    // reads it from the last committed offset.
    await waitFor(() => events.every((e) => handled.includes(e.eventId)), 60_000).catch((error: Error) => {
      const missing = events.filter((e) => !handled.includes(e.eventId)).length;
      throw new Error(
        `${error.message}: ${missing} event(s) missing; stats ${JSON.stringify(survivor.getStats())}\n${logger.lines.join('\n')}`,
      );
    });
    expect(stuck.every((id) => handled.includes(id))).toBe(true);
    expect((await survivor.getTopicInfo()).assignedPartitions).toEqual([0, 1]);
    expect(survivor.getStats().rebalances).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
