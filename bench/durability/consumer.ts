import 'reflect-metadata';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createBus, fileLogger, readSpec, send } from './child-env.js';
import { DurabilityProbe } from './probe-event.js';

/**
 * The consumer process. Each successful handler call appends `eventId aggregateId version pid`
 * to handled.log with a synchronous write, so the record survives a SIGKILL right after it.
 */
const spec = readSpec();
const fd = openSync(join(spec.dir, 'handled.log'), 'a');
const bus = await createBus(spec, `consumer-${process.pid}`);
bus.subscribe(DurabilityProbe, async (event: DurabilityProbe) => {
  // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask yield, identical in every contender
  await undefined;
  if (event.poison) throw new Error(`poison event ${event.sequence}`);
  writeSync(fd, `${event.eventId} ${event.aggregateId} ${event.aggregateVersion} ${process.pid}\n`);
});
// Start-up is not the fault under test: a retriable failure here (the broker busy with other
// work) is retried, as a supervisor would restart the process.
for (let attempt = 1; ; attempt++) {
  try {
    await bus.startConsuming();
    break;
  } catch (error) {
    if (attempt >= 5 || !(error as { retriable?: boolean }).retriable) throw error;
    fileLogger(spec.dir, `consumer-${process.pid}`).warn(`startConsuming failed (attempt ${attempt}): ${(error as Error).message}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
  }
}
send({ type: 'ready' });

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stop') return;
  void bus.shutdown(10_000).finally(() => {
    closeSync(fd);
    // Exit only once the stats reached the orchestrator.
    if (process.send) process.send({ type: 'stopped', stats: bus.getStats() }, () => process.exit(0));
    else process.exit(0);
  });
});
