import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusClosedError, InMemoryEventBus } from '../../lib/index.js';
import { BusOrderCreated, RecordingHandler, capturingLogger, created } from './support/bus-fixtures.js';

let logger: ReturnType<typeof capturingLogger>;
let bus: InMemoryEventBus;
// Handlers in these tests wait on gates the test opens; afterEach opens any left closed.
const gates: Array<() => void> = [];

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { wait, open };
}

beforeEach(() => {
  logger = capturingLogger();
  bus = new InMemoryEventBus({ logger });
});

afterEach(() => {
  for (const open of gates.splice(0)) open();
});

describe('InMemoryEventBus background publishing', () => {
  it('returns at once and tracks the work until it settles', async () => {
    const { wait, open } = gate();
    const handled: string[] = [];
    bus.subscribe(BusOrderCreated, async (e) => {
      await wait;
      handled.push(e.orderNumber);
    });
    expect(bus.getBackgroundTaskCount()).toBe(0);
    await bus.publish([created('A'), created('B')], { background: true });
    expect(handled).toEqual([]);
    expect(bus.getBackgroundTaskCount()).toBe(1);
    expect(bus.getStats()).toMatchObject({ backgroundTasksCreated: 1, backgroundTasksCompleted: 0 });
    open();
    await bus.whenIdle();
    expect(handled).toEqual(['A', 'B']);
    expect(bus.getBackgroundTaskCount()).toBe(0);
    expect(bus.getStats()).toMatchObject({
      backgroundTasksCreated: 1,
      backgroundTasksCompleted: 1,
      eventsPublished: 2,
      handlersInvoked: 2,
    });
  });

  it('whenIdle resolves at once when nothing runs, and waits for work started while waiting', async () => {
    await expect(bus.whenIdle()).resolves.toBeUndefined();
    const first = gate();
    const second = gate();
    const handled: string[] = [];
    bus.subscribe(BusOrderCreated, async (e) => {
      await (e.orderNumber === 'A' ? first.wait : second.wait);
      handled.push(e.orderNumber);
      if (e.orderNumber === 'A') void bus.publish([created('B')], { background: true });
    });
    await bus.publish([created('A')], { background: true });
    const idle = bus.whenIdle();
    first.open();
    await Promise.resolve();
    second.open();
    await idle;
    expect(handled).toEqual(['A', 'B']);
    expect(bus.getBackgroundTaskCount()).toBe(0);
  });

  it('isolates handler errors in the background as well', async () => {
    bus.subscribe(BusOrderCreated, async () => {
      throw new Error('background failure');
    });
    const errors: string[] = [];
    bus.onError((error) => void errors.push(error.message));
    await bus.publish([created()], { background: true });
    await bus.whenIdle();
    expect(errors).toEqual(['background failure']);
    expect(bus.getStats()).toMatchObject({ handlerErrors: 1, backgroundTasksCompleted: 1 });
  });
});

describe('InMemoryEventBus shutdown', () => {
  it('waits for background work to finish', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderCreated, async (e) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await handler.handle(e);
    });
    await bus.publish([created()], { background: true });
    await bus.shutdown(5_000);
    expect(handler.events).toHaveLength(1);
    expect(bus.getBackgroundTaskCount()).toBe(0);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('resolves at once without background work', async () => {
    const started = performance.now();
    await bus.shutdown(10_000);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('abandons work still running after timeoutMs, with a warning', async () => {
    const controller = new AbortController();
    bus.subscribe(BusOrderCreated, async () => {
      // A 5 s handler; aborted after the test so no timer outlives it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        controller.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    });
    await bus.publish([created()], { background: true });
    const started = performance.now();
    await bus.shutdown(100);
    const elapsed = performance.now() - started;
    controller.abort();
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(500);
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('100 ms');
    expect(warnings[0].message).toContain('abandoning 1 background task');
  });

  it('rejects publish with BusClosedError afterwards, also in the background and for an empty list', async () => {
    await bus.shutdown();
    await expect(bus.publish([created()])).rejects.toThrow(BusClosedError);
    await expect(bus.publish([created()], { background: true })).rejects.toThrow(BusClosedError);
    await expect(bus.publish([])).rejects.toThrow(BusClosedError);
    const error = await bus.publish([created()]).catch((e: unknown) => e as BusClosedError);
    expect(error).toMatchObject({ name: 'BusClosedError', retriable: false });
    expect((error as Error).message).toContain('InMemoryEventBus has been shut down');
  });

  it('can be shut down twice', async () => {
    await bus.shutdown(100);
    await expect(bus.shutdown(100)).resolves.toBeUndefined();
  });
});
