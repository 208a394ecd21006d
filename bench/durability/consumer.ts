import 'reflect-metadata';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createBus, readSpec, send } from './child-env.js';
import { DurabilityProbe } from './probe-event.js';

/**
 * The consumer process. Each successful handler call appends `eventId aggregateId version pid`
 * to handled.log with a synchronous write, so the record survives a SIGKILL right after it.
 */
const spec = readSpec();
const fd = openSync(join(spec.dir, 'handled.log'), 'a');
const bus = await createBus(spec, `consumer-${process.pid}`);
bus.subscribe(DurabilityProbe, async (event: DurabilityProbe) => {
  await undefined;
  if (event.poison) throw new Error(`poison event ${event.sequence}`);
  writeSync(fd, `${event.eventId} ${event.aggregateId} ${event.aggregateVersion} ${process.pid}\n`);
});
await bus.startConsuming();
send({ type: 'ready' });

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stop') return;
  void bus.shutdown(10_000).finally(() => {
    closeSync(fd);
    send({ type: 'stopped', stats: bus.getStats() });
    process.exit(0);
  });
});
