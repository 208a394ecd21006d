import type { Redis } from 'ioredis';
import type { DeadLetterInfo, DlqMessage, IncomingMessage } from '../broker/broker-transport.js';
import { fieldsToRecord, toDeadLetterFields, toDlqMessage, type RawEntry } from './redis-wire.js';

const PAGE = 500;
const ENTRY_ID = /^\d+-\d+$/;

/**
 * The dead-letter stream `{streamPrefix}:stream_dlq`. Every consumer group of the stream writes
 * to it, so reads, counts, replays and purges only see this group's letters (`dlq_consumer_group`),
 * plus letters without that field (written by eventsource-py), which any group may handle.
 */
export class RedisDeadLetters {
  constructor(
    private readonly client: () => Redis,
    private readonly stream: string,
    private readonly dlqStream: string,
    private readonly group: string,
  ) {}

  /** XADD to the DLQ and XACK the original in one MULTI, so a message is never in both or neither. */
  async write(message: IncomingMessage, info: DeadLetterInfo): Promise<string> {
    const results = await this.client()
      .multi()
      .xadd(this.dlqStream, '*', ...toDeadLetterFields(message, info))
      .xack(this.stream, this.group, message.id)
      .exec();
    if (!results) throw new Error(`Dead-lettering ${message.id} was aborted (MULTI discarded)`);
    for (const [error] of results) if (error) throw error;
    return String(results[0]?.[1]);
  }

  /** Oldest first. */
  async list(limit: number): Promise<DlqMessage[]> {
    const found: DlqMessage[] = [];
    if (limit <= 0) return found;
    for await (const [id, fields] of this.ownEntries()) {
      found.push(toDlqMessage(id, fields));
      if (found.length >= limit) break;
    }
    return found;
  }

  async read(id: string): Promise<DlqMessage | undefined> {
    if (!ENTRY_ID.test(id)) return undefined;
    const [entry] = (await this.client().xrange(this.dlqStream, id, id)) as RawEntry[];
    return entry?.[1] && this.isOwn(entry[1]) ? toDlqMessage(entry[0], entry[1]) : undefined;
  }

  async count(): Promise<number> {
    let count = 0;
    for await (const _ of this.ownEntries()) count++;
    return count;
  }

  async remove(id: string): Promise<boolean> {
    if (!(await this.read(id))) return false;
    return (await this.client().xdel(this.dlqStream, id)) > 0;
  }

  /** Deletes this group's dead letters; returns how many there were. */
  async purge(): Promise<number> {
    const ids: string[] = [];
    for await (const [id] of this.ownEntries()) ids.push(id);
    for (let i = 0; i < ids.length; i += PAGE) await this.client().xdel(this.dlqStream, ...ids.slice(i, i + PAGE));
    return ids.length;
  }

  private async *ownEntries(): AsyncGenerator<[string, string[]]> {
    let start = '-';
    for (;;) {
      const page = (await this.client().xrange(this.dlqStream, start, '+', 'COUNT', PAGE)) as RawEntry[];
      for (const [id, fields] of page) if (fields && this.isOwn(fields)) yield [id, fields];
      if (page.length < PAGE) return;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  private isOwn(fields: readonly string[]): boolean {
    const group = fieldsToRecord(fields).dlq_consumer_group;
    return group === undefined || group === this.group;
  }
}
