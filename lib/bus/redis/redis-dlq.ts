import type { Redis } from 'ioredis';
import type { DeadLetterInfo, DlqMessage, IncomingMessage } from '../broker/broker-transport.js';
import { toDeadLetterFields, toDlqMessage, type RawEntry } from './redis-wire.js';

/** The dead-letter stream `{streamPrefix}:stream_dlq`: write, read, replay bookkeeping, purge. */
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

  async list(limit: number): Promise<DlqMessage[]> {
    if (limit <= 0) return [];
    const entries = (await this.client().xrange(this.dlqStream, '-', '+', 'COUNT', limit)) as RawEntry[];
    return entries.filter(([, fields]) => fields).map(([id, fields]) => toDlqMessage(id, fields as string[]));
  }

  async read(id: string): Promise<DlqMessage | undefined> {
    if (!/^\d+-\d+$/.test(id)) return undefined;
    const [entry] = (await this.client().xrange(this.dlqStream, id, id)) as RawEntry[];
    return entry?.[1] ? toDlqMessage(entry[0], entry[1]) : undefined;
  }

  count(): Promise<number> {
    return this.client().xlen(this.dlqStream);
  }

  async remove(id: string): Promise<boolean> {
    if (!/^\d+-\d+$/.test(id)) return false;
    return (await this.client().xdel(this.dlqStream, id)) > 0;
  }

  /** Deletes the DLQ stream; returns how many dead letters it held. */
  async purge(): Promise<number> {
    const results = await this.client().multi().xlen(this.dlqStream).del(this.dlqStream).exec();
    const length = results?.[0]?.[1];
    return typeof length === 'number' ? length : 0;
  }
}
