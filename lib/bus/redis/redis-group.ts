import type { Redis } from 'ioredis';
import type { RawEntry } from './redis-wire.js';

/** XREADGROUP reply: one `[stream, entries]` pair per stream read, or null on timeout. */
export type StreamReply = Array<[stream: string, entries: RawEntry[]]> | null;
type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/** XGROUP CREATE ... 0 MKSTREAM, like eventsource-py: a new group also sees entries published before it. */
export async function ensureGroup(client: Redis, stream: string, group: string): Promise<void> {
  try {
    await client.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
  }
}

/** Delivery counters (XPENDING) of `consumer`'s entries from the first to the last of `entries`. */
export async function deliveryCounts(
  client: Redis,
  stream: string,
  group: string,
  consumer: string,
  entries: RawEntry[],
): Promise<Map<string, number>> {
  const first = entries[0]![0];
  const last = entries[entries.length - 1]![0];
  const rows = (await client.xpending(stream, group, first, last, entries.length, consumer)) as PendingRow[];
  return new Map(rows.map(([id, , , deliveries]) => [id, Number(deliveries)]));
}

/** True when `work` settled (either way) within `ms`; false on timeout. */
export async function settledWithin(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!work) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = work.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
