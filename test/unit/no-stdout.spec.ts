import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryEventBus, stderrLogger } from '../../lib/index.js';
import { BusOrderCreated, created } from './support/bus-fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('output', () => {
  it('writes nothing to stdout; the default logger reports a failing handler on stderr', async () => {
    const bus = new InMemoryEventBus(); // default logger
    bus.subscribe(BusOrderCreated, async function failsLoudly() {
      throw new Error('handler exploded');
    });
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const event = created();
    await bus.publish([event]);
    await bus.publish([created()], { background: true });
    await bus.shutdown(1_000);
    const stdoutCalls = stdout.mock.calls.length;
    const stderrText = stderr.mock.calls.map((call) => String(call[0])).join('');
    vi.restoreAllMocks();
    expect(stdoutCalls).toBe(0);
    expect(stderrText).toContain('[nestjs-eventsource] ERROR');
    expect(stderrText).toContain('failsLoudly');
    expect(stderrText).toContain(event.eventId);
    expect(stderrText).toContain('Error: handler exploded'); // the stack
  });

  it('the default logger has no log or debug method that could print', () => {
    expect('log' in stderrLogger).toBe(false);
    expect('debug' in stderrLogger).toBe(false);
  });
});
