import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RabbitMQEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { deleteTopology, makeRabbitBus, placed, rabbitAvailable, RmqOrderPlaced, uniqueName } from './rabbitmq-fixtures.js';

const available = await rabbitAvailable();
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/kill-consumer.fixture.ts', import.meta.url));

describe.skipIf(!available)('RabbitMQEventBus when a consumer process is killed', () => {
  const exchangeName = uniqueName('rmq-crash');
  const group = 'workers';
  const buses: RabbitMQEventBus[] = [];
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all(buses.map((bus) => bus.shutdown()));
    await deleteTopology(exchangeName, [group, 'producer']);
  });

  it('redelivers the unacked messages of a SIGKILLed consumer to another one: every event handled at least once', async () => {
    const childGot = new Set<string>();
    let ready = false;
    let stderr = '';
    child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', fixture, exchangeName, group], {
      cwd: repoRoot,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') ready = true;
        if (line.startsWith('got ')) childGot.add(line.slice(4));
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
    await waitFor(() => ready, 30_000).catch(() => {
      throw new Error(`the consumer process did not start: ${stderr}`);
    });

    const producer = makeRabbitBus({ exchangeName, consumerGroup: 'producer' });
    buses.push(producer);
    const events = Array.from({ length: 30 }, (_, i) => placed(randomUUID(), i));
    await producer.publish(events);
    await waitFor(() => childGot.size >= 4);

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const handled = new Map<string, number>();
    const survivor = makeRabbitBus({ exchangeName, consumerGroup: group });
    buses.push(survivor);
    survivor.subscribe(RmqOrderPlaced, (event) => void handled.set(event.eventId, (handled.get(event.eventId) ?? 0) + 1));
    await survivor.startConsuming();

    const ids = events.map((e) => e.eventId);
    await waitFor(() => ids.every((id) => handled.has(id)), 15_000);
    for (const id of childGot) expect(handled.has(id), `${id} was held by the killed consumer`).toBe(true);
    expect(survivor.getStats().messagesRecovered).toBeGreaterThanOrEqual(childGot.size);
    await survivor.whenIdle();
    await waitFor(async () => (await survivor.getQueueInfo()).messageCount === 0);
  }, 90_000); // the child process compiles TypeScript on start
});
