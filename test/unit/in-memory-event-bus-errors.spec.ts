import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryEventBus, type DomainEvent, type HandlerErrorInfo } from '../../lib/index.js';
import { BusOrderCreated, FailingHandler, RecordingHandler, capturingLogger, created } from './support/bus-fixtures.js';

let logger: ReturnType<typeof capturingLogger>;
let bus: InMemoryEventBus;

beforeEach(() => {
  logger = capturingLogger();
  bus = new InMemoryEventBus({ logger });
});

describe('InMemoryEventBus handler errors', () => {
  it('isolates a failing handler: the others still run and publish resolves', async () => {
    const failing = new FailingHandler();
    const recording = new RecordingHandler();
    const after = new RecordingHandler();
    bus.subscribe(BusOrderCreated, failing);
    bus.subscribe(BusOrderCreated, recording);
    bus.subscribeToAllEvents(after);
    const event = created();
    await expect(bus.publish([event, created()])).resolves.toBeUndefined();
    expect(failing.calls).toBe(2);
    expect(recording.events).toHaveLength(2);
    expect(after.events).toHaveLength(2);
    expect(bus.getStats()).toMatchObject({ eventsPublished: 2, handlersInvoked: 4, handlerErrors: 2 });
  });

  it('isolates synchronous throws and non-Error rejections too', async () => {
    const recording = new RecordingHandler();
    bus.subscribe(BusOrderCreated, function throwsSync() {
      throw new Error('sync boom');
    });
    bus.subscribe(BusOrderCreated, async function rejectsWithString() {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
      return Promise.reject('plain string');
    });
    bus.subscribe(BusOrderCreated, recording);
    const errors: Error[] = [];
    bus.onError((error) => void errors.push(error));
    await bus.publish([created()]);
    expect(recording.events).toHaveLength(1);
    expect(bus.getStats().handlerErrors).toBe(2);
    expect(errors.map((e) => e.message).sort()).toEqual(['plain string', 'sync boom']);
    expect(errors.every((e) => e instanceof Error)).toBe(true);
  });

  it('reports each failure to onError listeners with (error, event, { handler, attempt: 1, willRetry: false })', async () => {
    bus.subscribe(BusOrderCreated, new FailingHandler('broken projection'));
    const reports: Array<[Error, DomainEvent, HandlerErrorInfo]> = [];
    bus.onError((error, event, info) => void reports.push([error, event, info]));
    const event = created();
    await bus.publish([event]);
    expect(reports).toHaveLength(1);
    const [error, reported, info] = reports[0];
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('broken projection');
    expect(reported).toBe(event);
    expect(info).toEqual({ handler: 'FailingHandler.handle', attempt: 1, willRetry: false });
  });

  it('names function handlers by their function name', async () => {
    const infos: HandlerErrorInfo[] = [];
    bus.onError((_, __, info) => void infos.push(info));
    bus.subscribe(BusOrderCreated, async function sendWelcomeMail() {
      throw new Error('smtp down');
    });
    await bus.publish([created()]);
    expect(infos.map((i) => i.handler)).toEqual(['sendWelcomeMail']);
  });

  it('logs each failure with event id, type, handler name and stack', async () => {
    bus.subscribe(BusOrderCreated, new FailingHandler('db unavailable'));
    const event = created();
    await bus.publish([event]);
    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(event.eventId);
    expect(errors[0].message).toContain('BusOrderCreated');
    expect(errors[0].message).toContain('FailingHandler.handle');
    expect(errors[0].message).toContain('db unavailable');
    expect(String(errors[0].meta[0])).toContain('Error: db unavailable');
  });

  it('onError returns a function that removes the listener', async () => {
    bus.subscribe(BusOrderCreated, new FailingHandler());
    const listener = vi.fn();
    const remove = bus.onError(listener);
    await bus.publish([created()]);
    expect(listener).toHaveBeenCalledTimes(1);
    remove();
    await bus.publish([created()]);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(bus.getStats().handlerErrors).toBe(2);
  });

  it('keeps dispatching when an onError listener throws, and logs that', async () => {
    bus.subscribe(BusOrderCreated, new FailingHandler());
    const recording = new RecordingHandler();
    bus.subscribe(BusOrderCreated, recording);
    const second = vi.fn();
    bus.onError(() => {
      throw new Error('listener broke');
    });
    bus.onError(second);
    await expect(bus.publish([created(), created()])).resolves.toBeUndefined();
    expect(recording.events).toHaveLength(2);
    expect(second).toHaveBeenCalledTimes(2);
    expect(logger.lines.some((line) => line.message.includes('onError listener threw'))).toBe(true);
  });

  it('rejects an onError listener that is not a function', () => {
    expect(() => bus.onError('nope' as never)).toThrow(TypeError);
  });
});
