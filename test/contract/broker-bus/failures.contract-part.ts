import { expect, it } from 'vitest';
import { UnknownEvent, type DomainEvent } from '../../../lib/index.js';
import { ContractOrderPlaced, ContractOrderShipped, rawBody, shipped } from './contract-events.js';
import { recorder, uniqueName, type ContractHarness } from './contract-harness.js';

/** Failures: retries, dead letters, replay, bad input, unknown types. */
export function failuresContract(h: ContractHarness): void {
  it('retries only the failing handler, then acks (no dead letter)', async () => {
    const prefix = h.prefix('retry');
    const group = uniqueName('g');
    const consumerName = uniqueName('c');
    let flakyCalls = 0;
    let steadyCalls = 0;
    const bus = await h.consumer({ prefix, group, consumerName, config: { maxRetries: 3 } }, (b) => {
      b.subscribe(ContractOrderShipped, async function flakyHandler() {
        flakyCalls++;
        if (flakyCalls <= 2) throw new Error(`flaky failure ${flakyCalls}`);
      });
      b.subscribe(ContractOrderShipped, function steadyHandler() {
        steadyCalls++;
      });
    });
    const event = shipped();
    await h.publisher(prefix).publish([event]);
    await h.wait(() => bus.getStats().eventsProcessedSuccess === 1);
    await bus.whenIdle();
    expect(flakyCalls).toBe(3);
    expect(steadyCalls).toBe(1);
    const stats = bus.getStats();
    expect(stats.messagesRetried).toBe(2);
    expect(stats.handlerErrors).toBe(2);
    expect(stats.messagesSentToDlq).toBe(0);
    expect(await bus.getDlqMessageCount()).toBe(0);
    await bus.shutdown();
    await h.expectNotRedelivered(prefix, group, consumerName, [event.eventId]);
  });

  it('dead-letters a poison message after maxRetries + 1 attempts, and replays it once fixed', async () => {
    const prefix = h.prefix('poison');
    let broken = true;
    let poisonCalls = 0;
    let fineCalls = 0;
    const letters: unknown[] = [];
    const bus = await h.consumer({ prefix, group: uniqueName('g'), config: { maxRetries: 2 } }, (b) => {
      b.subscribe(ContractOrderShipped, async function poisonHandler() {
        poisonCalls++;
        if (broken) throw new TypeError('cannot ship');
      });
      b.subscribe(ContractOrderShipped, function fineHandler() {
        fineCalls++;
      });
      b.onDeadLetter((letter) => void letters.push(letter));
    });
    const event = shipped('TRACK-POISON');
    await h.publisher(prefix).publish([event]);
    await h.wait(async () => (await bus.getDlqMessageCount()) === 1);
    await bus.whenIdle();
    expect(poisonCalls).toBe(3);
    expect(fineCalls).toBe(1);
    expect(letters).toHaveLength(1);
    const [letter] = await bus.getDlqMessages();
    expect(letter).toMatchObject({
      eventId: event.eventId,
      eventType: 'contract.OrderShipped',
      reason: 'max_retries_exceeded',
      errorType: 'TypeError',
      errorMessage: 'cannot ship',
      retryCount: 2,
      failedHandlers: ['poisonHandler'],
    });
    expect(letter!.timestamp).toBeInstanceOf(Date);
    expect(JSON.parse(letter!.payload)).toMatchObject({ event_id: event.eventId, event_type: 'contract.OrderShipped' });
    expect(bus.getStats()).toMatchObject({ messagesSentToDlq: 1, eventsProcessedFailed: 1 });

    broken = false;
    expect(await bus.replayDlqMessage(letter!.id)).toBe(true);
    expect(poisonCalls).toBe(4);
    expect(await bus.getDlqMessageCount()).toBe(0);
    expect(await bus.replayDlqMessage(letter!.id)).toBe(false);
  });

  it('dead-letters bad input (invalid JSON, missing type, failing validation) and keeps consuming', async () => {
    const prefix = h.prefix('garbage');
    const got = recorder();
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => {
      b.subscribe(ContractOrderPlaced, got.handler);
      b.subscribe(ContractOrderShipped, got.handler);
    });
    const untyped = rawBody(undefined, { tracking_number: 'X' });
    const invalid = rawBody('contract.OrderPlaced', {
      customerName: 42,
      totalAmount: 'lots',
      placedAt: 'not a date',
      shipTo: {},
      tags: 'x',
    });
    await h.options.injectRaw(prefix, '{"event_id": "oops", not json', { ...untyped.fields, event_type: 'contract.OrderShipped' });
    await h.options.injectRaw(prefix, untyped.body, untyped.fields);
    await h.options.injectRaw(prefix, invalid.body, invalid.fields);
    const good = shipped();
    await h.publisher(prefix).publish([good]);
    await h.wait(async () => got.events.length === 1 && (await bus.getDlqMessageCount()) === 3);
    expect(got.events[0]!.eventId).toBe(good.eventId);
    const letters = await bus.getDlqMessages();
    expect(letters.map((l) => l.reason)).toEqual(['deserialization_error', 'deserialization_error', 'deserialization_error']);
    expect(letters.map((l) => l.payload)).toContain(invalid.body);
    expect(bus.getStats().messagesSentToDlq).toBe(3);
  });

  it('dead-letters an unknown event type when no wildcard handler exists', async () => {
    const prefix = h.prefix('unknown-dlq');
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => b.subscribe(ContractOrderShipped, () => undefined));
    const unknown = rawBody('contract.FromTheFuture', { novelty: true });
    await h.options.injectRaw(prefix, unknown.body, unknown.fields);
    await h.wait(async () => (await bus.getDlqMessageCount()) === 1);
    const [letter] = await bus.getDlqMessages();
    expect(letter).toMatchObject({ reason: 'unknown_event_type', eventType: 'contract.FromTheFuture', payload: unknown.body });
  });

  it('hands an unknown event type to wildcard handlers as UnknownEvent', async () => {
    const prefix = h.prefix('unknown-wildcard');
    const all = recorder();
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => b.subscribeToAllEvents(all.handler));
    const unknown = rawBody('contract.FromTheFuture', { novelty: { level: 2 } });
    await h.options.injectRaw(prefix, unknown.body, unknown.fields);
    await h.wait(() => all.events.length === 1);
    const event = all.events[0] as DomainEvent as UnknownEvent;
    expect(event).toBeInstanceOf(UnknownEvent);
    expect(event.eventType).toBe('contract.FromTheFuture');
    expect(event.data).toMatchObject({ novelty: { level: 2 } });
    expect(await bus.getDlqMessageCount()).toBe(0);
  });

  it("skips an unknown event type with onUnknownEventType 'skip'", async () => {
    const prefix = h.prefix('unknown-skip');
    const bus = await h.consumer({ prefix, group: uniqueName('g'), config: { onUnknownEventType: 'skip' } }, (b) =>
      b.subscribe(ContractOrderShipped, () => undefined),
    );
    const unknown = rawBody('contract.FromTheFuture');
    await h.options.injectRaw(prefix, unknown.body, unknown.fields);
    await h.wait(() => bus.getStats().eventsSkipped === 1);
    await bus.whenIdle();
    expect(await bus.getDlqMessageCount()).toBe(0);
  });
}
