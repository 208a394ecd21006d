import { describe, expect, it } from 'vitest';
import { KeyedScheduler, type TaskSlot } from '../../lib/bus/broker/keyed-scheduler.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that is handled and settled when its promise resolves; resolves when it settled. */
function schedule(scheduler: KeyedScheduler, key: string | undefined, run: (slot: TaskSlot) => void | Promise<void>): Promise<void> {
  return new Promise<void>((done) =>
    scheduler.enqueue(
      key,
      (slot, settled) => {
        const handled = run(slot);
        if (!handled) return settled();
        return handled.then(settled, settled);
      },
      done,
    ),
  );
}

describe('KeyedScheduler', () => {
  it('runs tasks of one key in arrival order and different keys concurrently', async () => {
    const scheduler = new KeyedScheduler(4, 100);
    const log: string[] = [];
    let releaseA1!: () => void;
    const a1Gate = new Promise<void>((resolve) => (releaseA1 = resolve));
    const a1 = schedule(scheduler, 'a', async () => {
      await a1Gate;
      log.push('a1');
    });
    const a2 = schedule(scheduler, 'a', async () => void log.push('a2'));
    const others = Promise.all([
      schedule(scheduler, 'b', async () => void log.push('b1')),
      schedule(scheduler, 'b', async () => void log.push('b2')),
      schedule(scheduler, 'c', async () => void log.push('c1')),
    ]);
    // b and c finish while a1 is still blocked: a's queue does not hold other keys back.
    await others;
    expect(log).toEqual(['b1', 'c1', 'b2']);
    releaseA1();
    await Promise.all([a1, a2]);
    expect(log.slice(3)).toEqual(['a1', 'a2']);
  });

  it('never runs more than `concurrency` tasks at once', async () => {
    const scheduler = new KeyedScheduler(2, 100);
    let concurrent = 0;
    let maxConcurrent = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        schedule(scheduler, `k${i}`, async () => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await tick(5);
          concurrent--;
        }),
      ),
    );
    expect(maxConcurrent).toBe(2);
  });

  it('releases the slot while a task pauses, but keeps its key behind it', async () => {
    const scheduler = new KeyedScheduler(1, 100);
    const log: string[] = [];
    const paused = schedule(scheduler, 'a', async (slot) => {
      log.push('a1-start');
      await slot.pause(40);
      log.push('a1-end');
    });
    const a2 = schedule(scheduler, 'a', async () => void log.push('a2'));
    const b1 = schedule(scheduler, 'b', async () => void log.push('b1'));
    await Promise.all([paused, a2, b1]);
    expect(log).toEqual(['a1-start', 'b1', 'a1-end', 'a2']);
  });

  it('stop() ends pauses early with false, and idle() resolves once everything settled', async () => {
    const scheduler = new KeyedScheduler(2, 100);
    let resumed: boolean | undefined;
    const task = schedule(scheduler, 'a', async (slot) => {
      resumed = await slot.pause(60_000);
    });
    await tick(5);
    const started = Date.now();
    scheduler.stop();
    await scheduler.idle();
    await task;
    expect(resumed).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(scheduler.size).toBe(0);
  });

  it('ready() waits while the buffer is full', async () => {
    const scheduler = new KeyedScheduler(1, 2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    void schedule(scheduler, 'a', () => gate);
    void schedule(scheduler, 'b', () => gate);
    let ready = false;
    const waiting = scheduler.ready().then(() => (ready = true));
    await tick(10);
    expect(ready).toBe(false);
    release();
    await waiting;
    expect(ready).toBe(true);
  });

  it('tasks without a key are not ordered against each other', async () => {
    const scheduler = new KeyedScheduler(2, 100);
    const log: number[] = [];
    await Promise.all([
      schedule(scheduler, undefined, async () => {
        await tick(20);
        log.push(1);
      }),
      schedule(scheduler, undefined, async () => void log.push(2)),
    ]);
    expect(log).toEqual([2, 1]);
  });

  it('frees the slot when a task is handled, but counts it until it settled (an ack on its way)', async () => {
    const scheduler = new KeyedScheduler(1, 2);
    const log: string[] = [];
    let settleFirst!: () => void;
    let firstDone = false;
    scheduler.enqueue(
      'a',
      (_slot, settled) => {
        log.push('a1 handled');
        settleFirst = settled; // the ack is still travelling
      },
      () => (firstDone = true),
    );
    let secondDone = false;
    scheduler.enqueue(
      'a',
      (_slot, settled) => void (log.push('a2 handled'), settled()),
      () => (secondDone = true),
    );
    await tick(5);
    // With one slot, a2 ran although a1 has not settled: the slot was freed when a1 was handled.
    expect(log).toEqual(['a1 handled', 'a2 handled']);
    expect(secondDone).toBe(true);
    expect(firstDone).toBe(false);
    expect(scheduler.size).toBe(1);
    expect(scheduler.hasRoom()).toBe(true);
    scheduler.enqueue('b', () => undefined); // handled but never settled by its body
    expect(scheduler.hasRoom()).toBe(false);
    let idle = false;
    void scheduler.idle().then(() => (idle = true));
    await tick(5);
    expect(idle).toBe(false);
    settleFirst();
    settleFirst(); // a second call changes nothing
    expect(firstDone).toBe(true);
    expect(scheduler.size).toBe(1);
    await tick(5);
    expect(idle).toBe(false);
  });

  it('settles a task whose body throws or rejects, so idle() is reached', async () => {
    const scheduler = new KeyedScheduler(2, 10);
    scheduler.enqueue('a', () => {
      throw new Error('sync');
    });
    scheduler.enqueue('b', () => Promise.reject(new Error('async')));
    await scheduler.idle();
    expect(scheduler.size).toBe(0);
  });
});
