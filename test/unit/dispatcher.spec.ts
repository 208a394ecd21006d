import { describe, expect, it } from 'vitest';
import {
  Dispatcher,
  EventSourcingError,
  HandlerTimeoutError,
  emptyStats,
  toHandlerEntry,
  type HandlerErrorListener,
  type HandlerFailure,
} from '../../lib/index.js';
import { capturingLogger, created, sleep } from './support/bus-fixtures.js';

describe('Dispatcher', () => {
  it('returns the failures synchronously when every handler is synchronous', () => {
    const stats = emptyStats();
    const dispatcher = new Dispatcher(stats, new Set(), capturingLogger());
    const ok = toHandlerEntry(() => undefined);
    const bad = toHandlerEntry(function broken() {
      throw new Error('no');
    });
    const failures = dispatcher.run(created(), [ok, bad]);
    expect(Array.isArray(failures)).toBe(true);
    expect((failures as readonly HandlerFailure[]).map((f) => f.entry.name)).toEqual(['broken']);
    expect(stats).toMatchObject({ handlersInvoked: 1, handlerErrors: 1 });
  });

  it('fails a handler that does not settle within handlerTimeoutMs, and ignores its late result', async () => {
    const stats = emptyStats();
    const reports: Parameters<HandlerErrorListener>[] = [];
    const listeners = new Set<HandlerErrorListener>([(...args) => void reports.push(args)]);
    const dispatcher = new Dispatcher(stats, listeners, capturingLogger(), 50);
    const slow = toHandlerEntry(async function slowProjection() {
      await sleep(150);
    });
    const fast = toHandlerEntry(async () => undefined);
    const event = created();
    const failures = await dispatcher.run(event, [slow, fast], 2, true);
    expect(failures).toHaveLength(1);
    const [{ error, entry }] = failures;
    expect(entry.name).toBe('slowProjection');
    expect(error).toBeInstanceOf(HandlerTimeoutError);
    expect(error).toBeInstanceOf(EventSourcingError);
    expect(error).toMatchObject({ handler: 'slowProjection', timeoutMs: 50, retriable: true, name: 'HandlerTimeoutError' });
    expect(reports).toHaveLength(1);
    expect(reports[0][1]).toBe(event);
    expect(reports[0][2]).toEqual({ handler: 'slowProjection', attempt: 2, willRetry: true });
    await sleep(150);
    expect(stats).toMatchObject({ handlersInvoked: 1, handlerErrors: 1 });
  });
});
