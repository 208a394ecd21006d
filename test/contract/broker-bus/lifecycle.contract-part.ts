import { expect, it } from 'vitest';
import { BusClosedError, type BrokerEventBusStats } from '../../../lib/index.js';
import { ContractOrderShipped, shipped } from './contract-events.js';
import { recorder, uniqueName, type ContractHarness } from './contract-harness.js';

const STAT_KEYS: Array<keyof BrokerEventBusStats> = [
  'eventsPublished',
  'handlersInvoked',
  'handlerErrors',
  'backgroundTasksCreated',
  'backgroundTasksCompleted',
  'eventsConsumed',
  'eventsProcessedSuccess',
  'eventsProcessedFailed',
  'eventsSkipped',
  'messagesRetried',
  'messagesRecovered',
  'messagesSentToDlq',
  'reconnections',
  'lastPublishAt',
  'lastConsumeAt',
];

/** Lifecycle: draining shutdown, closed state, background publishing, stats, health. */
export function lifecycleContract(h: ContractHarness): void {
  it('drains a handler in flight on shutdown and acks it (nothing redelivered after restart)', async () => {
    const prefix = h.prefix('drain');
    const group = uniqueName('g');
    const consumerName = uniqueName('c');
    let started = false;
    let finished = false;
    const bus = await h.consumer({ prefix, group, consumerName }, (b) =>
      b.subscribe(ContractOrderShipped, async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      }),
    );
    const event = shipped();
    await h.publisher(prefix).publish([event]);
    await h.wait(() => started);
    await bus.shutdown();
    expect(finished).toBe(true);
    expect(bus.getStats().eventsProcessedSuccess).toBe(1);
    await h.expectNotRedelivered(prefix, group, consumerName, [event.eventId]);
  });

  it('allows shutdown() twice and rejects publish and startConsuming afterwards', async () => {
    const prefix = h.prefix('closed');
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => b.subscribe(ContractOrderShipped, () => undefined));
    await bus.publish([shipped()]);
    await Promise.all([bus.shutdown(), bus.shutdown()]);
    await bus.shutdown();
    await expect(bus.publish([shipped()])).rejects.toBeInstanceOf(BusClosedError);
    await expect(bus.publish([shipped()])).rejects.toMatchObject({ retriable: false });
    await expect(bus.startConsuming()).rejects.toBeInstanceOf(BusClosedError);
  });

  it('publishes in the background and tracks the work', async () => {
    const prefix = h.prefix('background');
    const got = recorder();
    await h.consumer({ prefix, group: uniqueName('g') }, (b) => b.subscribe(ContractOrderShipped, got.handler));
    const publisher = h.publisher(prefix);
    const event = shipped();
    await publisher.publish([event], { background: true });
    expect(publisher.getStats().backgroundTasksCreated).toBe(1);
    await publisher.whenIdle();
    expect(publisher.getBackgroundTaskCount()).toBe(0);
    expect(publisher.getStats()).toMatchObject({ backgroundTasksCompleted: 1, eventsPublished: 1 });
    await h.wait(() => got.events.length === 1);
    expect(got.events[0]!.eventId).toBe(event.eventId);
    await publisher.publish([]);
    expect(publisher.getStats().eventsPublished).toBe(1);
  });

  it('reports every stats key, as a fresh object each call', async () => {
    const prefix = h.prefix('stats');
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => b.subscribe(ContractOrderShipped, () => undefined));
    const before = bus.getStats();
    for (const key of STAT_KEYS) expect(before).toHaveProperty(key);
    expect(before.lastPublishAt).toBeNull();
    await bus.publish([shipped()]);
    await h.wait(() => bus.getStats().eventsProcessedSuccess === 1);
    const after = bus.getStats();
    expect(after).not.toBe(bus.getStats());
    expect(after.lastPublishAt).toBeInstanceOf(Date);
    expect(after.lastConsumeAt).toBeInstanceOf(Date);
    expect(after).toMatchObject({ eventsPublished: 1, eventsConsumed: 1, handlersInvoked: 1, handlerErrors: 0 });
    for (const key of STAT_KEYS) {
      const value = after[key];
      expect(typeof value === 'number' || value instanceof Date || value === null).toBe(true);
    }
  });

  it('reports health while consuming', async () => {
    const prefix = h.prefix('health');
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => b.subscribe(ContractOrderShipped, () => undefined));
    const report = await bus.healthCheck();
    expect(report).toMatchObject({ healthy: true, status: 'healthy' });
    expect(typeof report.details).toBe('object');
  });
}
