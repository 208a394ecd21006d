export interface Deadline {
  /** The work finished in time: the expiry will not run. */
  cancel(): void;
}

class Entry implements Deadline {
  done = false;

  constructor(
    private readonly queue: DeadlineQueue,
    readonly at: number,
    readonly expire: () => void,
  ) {}

  cancel(): void {
    this.done = true;
    this.queue.dropSettledHead();
  }
}

/**
 * Deadlines that all lie the same delay after they were set, so they fall due in the order
 * they were set: one timer, armed for the oldest open deadline, serves all of them. A timer per
 * consumed event (set, raced, cleared) costs more than most handlers do.
 */
export class DeadlineQueue {
  private entries: Entry[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly delayMs: number) {}

  /** `expire` runs once, about delayMs from now, unless the returned deadline is cancelled first. */
  add(expire: () => void): Deadline {
    const entry = new Entry(this, performance.now() + this.delayMs, expire);
    this.entries.push(entry);
    if (!this.timer) this.arm(this.delayMs);
    return entry;
  }

  get open(): number {
    let count = 0;
    for (let i = this.head; i < this.entries.length; i++) if (!this.entries[i]!.done) count++;
    return count;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(ms)));
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head]!;
      if (!entry.done && entry.at > now) break;
      this.head++;
      if (entry.done) continue;
      entry.done = true;
      entry.expire();
    }
    this.compact();
    if (this.head < this.entries.length) this.arm(this.entries[this.head]!.at - now);
  }

  /** Finished entries at the front are dropped at once, so memory follows what is still open. */
  dropSettledHead(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.done) this.head++;
    this.compact();
    if (this.head === this.entries.length && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private compact(): void {
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
