import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { brokerSpec } from './brokers.js';
import { createBus, fileLogger, readSpec, send } from './child-env.js';
import { DurabilityProbe, isPoisonIndex } from './probe-event.js';

/**
 * The publisher process: lists of 100 at a fixed pace. A list is written to published.log
 * only after publish() resolved (the broker acknowledged it); a rejected list is retried as
 * is, so its events may be stored twice (the consumer then sees duplicates, never a gap).
 */
const LIST = 100;
const GARBAGE_EVERY_LISTS = 10;
const spec = readSpec();
const log = fileLogger(spec.dir, 'publisher');
const fd = openSync(join(spec.dir, 'published.log'), 'a');
const bus = await createBus(spec, 'publisher');
const ids = Array.from({ length: spec.aggregates }, () => randomUUID());
const versions = new Array<number>(spec.aggregates).fill(0);
const events = Array.from({ length: spec.events }, (_, i) => {
  const a = i % spec.aggregates;
  return new DurabilityProbe({
    aggregateId: ids[a],
    aggregateVersion: ++versions[a],
    sequence: i,
    poison: spec.scenario === 'poison' && isPoisonIndex(i),
    padding: 'x'.repeat(200),
  });
});

let failures = 0;
let garbage = 0;
const start = Date.now();
for (let i = 0, list = 0; i < events.length; i += LIST, list++) {
  const wait = start + (i / spec.ratePerSec) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const batch = events.slice(i, i + LIST);
  for (;;) {
    try {
      await bus.publish(batch);
      break;
    } catch (error) {
      failures++;
      log.warn(`publish of list ${list} failed (${(error as Error).name}: ${(error as Error).message}); retrying the same events`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  writeSync(fd, batch.map((e) => `${e.eventId} ${e.aggregateId} ${e.aggregateVersion} ${e.poison ? 1 : 0}\n`).join(''));
  if (spec.scenario === 'garbage' && list % GARBAGE_EVERY_LISTS === GARBAGE_EVERY_LISTS - 1) {
    const count = (LIST / 100) * GARBAGE_EVERY_LISTS; // 1% of messages
    await brokerSpec(spec.broker).injectGarbage(spec.names, spec.viaPort, count);
    garbage += count;
  }
}
closeSync(fd);
send({ type: 'done', failures, garbage, seconds: (Date.now() - start) / 1000 });
await bus.shutdown(10_000);
process.exit(0);
