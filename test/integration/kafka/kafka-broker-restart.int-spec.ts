import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PublishTimeoutError, type KafkaEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { crashRegistry, ParcelScanned } from './fixtures/crash-events.js';
import { KafkaTestClient, makeKafkaBus, quietLogger, uniqueName, useKafkaBroker } from './kafka-test-utils.js';

// This file stops the shared local broker: it runs alone (useKafkaBroker's lock) and always
// starts the broker again, whatever happens.
const available = await useKafkaBroker();
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const managed = brokerStartedByScripts();

/** stop.sh/start.sh only manage a broker started by start.sh (not, say, docker compose's). */
function brokerStartedByScripts(): boolean {
  const home = process.env.KAFKA_HOME_DIR ?? '.kafka';
  const found = existsSync(join(isAbsolute(home) ? home : join(REPO_ROOT, home), 'kafka.pid'));
  if (available && !found)
    process.stderr.write('[integration] Kafka was not started by scripts/kafka/start.sh; skipping the broker-restart test.\n');
  return found;
}

async function kafkaScript(name: 'start' | 'stop'): Promise<void> {
  await run('bash', [`scripts/kafka/${name}.sh`], { cwd: REPO_ROOT, timeout: 180_000 });
}

function parcels(count: number): ParcelScanned[] {
  return Array.from({ length: count }, (_, i) => new ParcelScanned({ aggregateId: randomUUID(), station: i }));
}

describe.skipIf(!available || !managed)('KafkaEventBus across a broker restart', () => {
  const raw = new KafkaTestClient();
  const topicPrefix = uniqueName('restart');
  const buses: KafkaEventBus[] = [];

  afterAll(async () => {
    await kafkaScript('start');
    await Promise.all(buses.map((b) => b.shutdown(5_000)));
    await raw.deleteTopics([topicPrefix]);
    await raw.close();
  }, 240_000);

  it('recovers after the broker stops and starts again, losing no acknowledged event', async () => {
    const logger = quietLogger();
    const consumer = makeKafkaBus({ topicPrefix, consumerGroup: uniqueName('g') }, { registry: crashRegistry, logger });
    const publisher = makeKafkaBus(
      { topicPrefix, consumerGroup: uniqueName('publisher'), publishTimeoutMs: 90_000 },
      { registry: crashRegistry },
    );
    const impatient = makeKafkaBus(
      { topicPrefix, consumerGroup: uniqueName('impatient'), publishTimeoutMs: 1_500 },
      { registry: crashRegistry },
    );
    buses.push(consumer, publisher, impatient);
    const handled = new Set<string>();
    consumer.subscribe(ParcelScanned, (e) => void handled.add(e.eventId));
    await consumer.startConsuming();
    await impatient.connect();

    const before = parcels(20);
    await publisher.publish(before);
    await waitFor(() => before.every((e) => handled.has(e.eventId)), 20_000);

    let duringOutage: Promise<unknown> | undefined;
    const acknowledged = [...before];
    try {
      await kafkaScript('stop');
      // Nobody accepts it now: a short publishTimeoutMs gives up, retriable.
      const refused = await impatient.publish(parcels(1)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PublishTimeoutError);
      expect((refused as PublishTimeoutError).retriable).toBe(true);
      // A patient publish waits for the broker to come back.
      const waiting = parcels(20);
      duringOutage = publisher.publish(waiting).then(
        () => void acknowledged.push(...waiting),
        (error: unknown) => error,
      );
    } finally {
      await kafkaScript('start');
    }
    expect(await duringOutage).toBeUndefined();

    const after = parcels(20);
    await publisher.publish(after);
    acknowledged.push(...after);
    await waitFor(() => acknowledged.every((e) => handled.has(e.eventId)), 90_000);
    expect(acknowledged).toHaveLength(60);
    await waitFor(async () => (await consumer.healthCheck()).healthy, 30_000);
    const stats = consumer.getStats();
    expect(stats.eventsProcessedSuccess).toBeGreaterThanOrEqual(60);
    // The outage outlasts kafkajs's own retries: the consumer crashed and was restarted (with
    // backoff), and its return to the group counts as a reconnection.
    expect(stats.consumerRestarts).toBeGreaterThanOrEqual(1);
    expect(stats.reconnections).toBeGreaterThanOrEqual(1);
    expect(logger.lines.some((line) => line.startsWith('ERROR kafka: consumer of group') && line.includes('restarting in'))).toBe(true);
  }, 240_000);
});
