import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../../lib/bus/deadline-queue.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineQueue', () => {
  it('expires open deadlines in the order they were set, each once, about delayMs later', async () => {
    const queue = new DeadlineQueue(40);
    const expired: string[] = [];
    const started = performance.now();
    const times: number[] = [];
    queue.add(() => (expired.push('a'), times.push(performance.now() - started)));
    await tick(15);
    queue.add(() => (expired.push('b'), times.push(performance.now() - started)));
    await tick(100);
    expect(expired).toEqual(['a', 'b']);
    // Generous margins: timers may fire late on a busy machine, never early.
    expect(times[0]).toBeGreaterThanOrEqual(38);
    expect(times[1]).toBeGreaterThanOrEqual(52);
    expect(queue.open).toBe(0);
  });

  it('never runs a cancelled deadline, wherever it stands in the queue', async () => {
    const queue = new DeadlineQueue(20);
    const expired: number[] = [];
    const deadlines = [0, 1, 2, 3].map((i) => queue.add(() => expired.push(i)));
    deadlines[0].cancel();
    deadlines[2].cancel();
    expect(queue.open).toBe(2);
    await tick(60);
    expect(expired).toEqual([1, 3]);
    deadlines[1].cancel(); // after expiry: no effect
    expect(expired).toEqual([1, 3]);
  });

  it('keeps no timer once every deadline is cancelled, so it never holds the process open', async () => {
    const queue = new DeadlineQueue(10_000);
    const deadlines = Array.from({ length: 5000 }, () => queue.add(() => undefined));
    for (const deadline of deadlines) deadline.cancel();
    expect(queue.open).toBe(0);
    expect((queue as unknown as { timer?: unknown }).timer).toBeUndefined();
    expect((queue as unknown as { entries: unknown[] }).entries).toHaveLength(0);
  });

  it('drops settled entries from the front as they settle, so memory follows what is open', () => {
    const queue = new DeadlineQueue(10_000);
    const deadlines = Array.from({ length: 3000 }, () => queue.add(() => undefined));
    // Settle all but the last in order: the front is dropped and the array compacted.
    for (const deadline of deadlines.slice(0, -1)) deadline.cancel();
    expect(queue.open).toBe(1);
    expect((queue as unknown as { entries: unknown[] }).entries.length).toBeLessThan(1500);
    deadlines[deadlines.length - 1].cancel();
  });
});
