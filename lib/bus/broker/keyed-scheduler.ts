/** Given to every task; see KeyedScheduler about pausing. */
export interface TaskSlot {
  /** Waits `ms` without holding a slot. Resolves false when the scheduler is stopping. */
  pause(ms: number): Promise<boolean>;
}

/** The task body: resolve when handled; call `settled` (once) when finished for good. */
export type SchedulerTask = (slot: TaskSlot, settled: () => void) => void | Promise<void>;

interface QueuedTask {
  run: SchedulerTask;
  done: () => void;
}

const noop = (): void => undefined;

/**
 * Runs tasks so that tasks with the same key run one after another in arrival order, while
 * tasks of different keys run concurrently, at most `concurrency` at a time.
 *
 * A task has two ends. When its promise resolves it is handled: its slot goes to the next task
 * and the next task of its key may start. When it calls `settled` it is finished for good (for
 * a message: the broker has the ack). Until then it still counts against `maxBuffered` and
 * idle(), so a consumer never holds a slot for an ack's round trip, yet never stops or takes
 * more messages while acks are still on their way.
 *
 * A task that waits for a retry calls `slot.pause(ms)`: the wait keeps its key (later
 * messages of that aggregate stay behind it) but gives up its concurrency slot, so a few
 * failing aggregates cannot stall the others.
 */
export class KeyedScheduler {
  private running = 0;
  private buffered = 0;
  private stopping = false;
  private unkeyed = 0;
  private readonly queues = new Map<string, QueuedTask[]>();
  private readonly readyKeys: string[] = [];
  /** Paused tasks waiting to get a slot back; served before new keys. */
  private readonly resumers: Array<() => void> = [];
  private readonly timers = new Map<NodeJS.Timeout, (resumed: boolean) => void>();
  private readonly capacityWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  /** Pausing needs nothing from the task, so every task shares one slot. */
  private readonly slot: TaskSlot = { pause: (ms) => this.pause(ms) };

  constructor(
    private readonly concurrency: number,
    private readonly maxBuffered: number,
  ) {}

  /** Queues a task; `done` is called once it settled. A callback, not a promise: this runs per message. */
  enqueue(key: string | undefined, run: SchedulerTask, done: () => void = noop): void {
    const queueKey = key ?? `\u0000unkeyed:${this.unkeyed++}`;
    this.buffered++;
    const queue = this.queues.get(queueKey);
    if (queue) {
      queue.push({ run, done });
      return;
    }
    this.queues.set(queueKey, [{ run, done }]);
    this.readyKeys.push(queueKey);
    this.pump();
  }

  /** True when another message can be taken now (ready() would resolve at once). */
  hasRoom(): boolean {
    return this.hasCapacity();
  }

  /** Resolves when there is room for more messages. */
  ready(): Promise<void> {
    if (this.hasCapacity()) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get size(): number {
    return this.buffered;
  }

  /** Ends every pending retry wait early (they resolve false); queued tasks still run. */
  stop(): void {
    this.stopping = true;
    for (const [timer, finish] of this.timers) {
      clearTimeout(timer);
      finish(false);
    }
    this.timers.clear();
  }

  restart(): void {
    this.stopping = false;
  }

  private hasCapacity(): boolean {
    return this.buffered < this.maxBuffered;
  }

  private pump(): void {
    while (this.running < this.concurrency && (this.resumers.length > 0 || this.readyKeys.length > 0)) {
      this.running++;
      const resume = this.resumers.shift();
      if (resume) {
        resume();
        continue;
      }
      this.startHead(this.readyKeys.shift() as string);
    }
  }

  private startHead(key: string): void {
    const task = (this.queues.get(key) as QueuedTask[])[0];
    let isSettled = false;
    const settled = () => {
      if (isSettled) return;
      isSettled = true;
      this.buffered--;
      task.done();
      this.notify();
    };
    const handled = () => this.handled(key);
    let result: void | Promise<void>;
    try {
      result = task.run(this.slot, settled);
    } catch {
      result = undefined;
      settled();
    }
    // A task handled synchronously releases its slot on the next microtask, like an async
    // one, so a long run of synchronous tasks cannot recurse through pump().
    if (result)
      result.then(handled, () => {
        settled();
        handled();
      });
    else queueMicrotask(handled);
  }

  /** The head task of `key` is handled: its slot and its key's turn pass on. */
  private handled(key: string): void {
    this.running--;
    const queue = this.queues.get(key) as QueuedTask[];
    queue.shift();
    if (queue.length > 0) this.readyKeys.push(key);
    else this.queues.delete(key);
    this.pump();
  }

  private async pause(ms: number): Promise<boolean> {
    if (this.stopping) return false;
    this.running--;
    this.pump();
    const resumed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(true);
      }, ms);
      this.timers.set(timer, resolve);
    });
    // Take a slot back (served before new keys) whether or not we go on, so the
    // running count stays balanced when the task ends.
    await new Promise<void>((resolve) => {
      this.resumers.push(resolve);
      this.pump();
    });
    return resumed && !this.stopping;
  }

  private notify(): void {
    while (this.capacityWaiters.length > 0 && this.hasCapacity()) (this.capacityWaiters.shift() as () => void)();
    if (this.buffered === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
