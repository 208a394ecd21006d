import type { EventPublisher } from '../../bus/event-publisher.js';
import { PublishRejectedError } from '../../errors/publish-rejected.error.js';
import type { DomainEvent } from '../../events/domain-event.js';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import { claimDueRows, markFailed, markSent, type OutboxContext, type OutboxRow } from './outbox-queries.js';
import { decodeStoredBody } from './postgres-event-rows.js';

interface Failure {
  ids: string[];
  error: Error;
}

/**
 * One relay transaction: take the publishing lock, claim due rows, publish them, mark them sent
 * (or failed, with backoff), commit. A process dying before the commit leaves the rows pending,
 * so they are published again: delivery is at-least-once.
 */
export class OutboxBatch {
  constructor(
    private readonly context: OutboxContext,
    private readonly publisher: EventPublisher,
    private readonly logger: EventSourcingLogger,
    private readonly backoff: { baseDelayMs: number; maxDelayMs: number },
  ) {}

  async run(limit: number): Promise<{ count: number; more: boolean }> {
    const { tables } = this.context;
    const client = await this.context.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const lock = await client.query(tables.relayLockSql);
      if (lock.rows[0].leader !== true) {
        await client.query('COMMIT');
        return { count: 0, more: false };
      }
      const rows = await claimDueRows(client, tables, limit);
      const { events, ids, failures } = this.decode(rows);
      let sent = ids;
      if (events.length > 0) {
        const failure = await this.publish(events, ids);
        if (failure) {
          failures.push(failure);
          sent = ids.filter((id) => !failure.ids.includes(id));
        }
      }
      await markSent(client, tables, sent);
      for (const failure of failures) {
        await markFailed(client, tables, failure.ids, `${failure.error.name}: ${failure.error.message}`, this.backoff);
      }
      await client.query('COMMIT');
      for (const failure of failures) this.logFailure(failure, rows);
      return { count: sent.length, more: rows.length === limit };
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Decodes rows in order. A row that cannot be decoded is retried later like a failed publish,
   * and the later rows of its aggregate wait for it, so an aggregate's events never overtake.
   */
  private decode(rows: OutboxRow[]): { events: DomainEvent[]; ids: string[]; failures: Failure[] } {
    const events: DomainEvent[] = [];
    const ids: string[] = [];
    const failures: Failure[] = [];
    const held = new Set<string>();
    for (const row of rows) {
      const stream = `${row.aggregate_type}\u0000${row.aggregate_id}`;
      if (held.has(stream)) continue;
      try {
        events.push(decodeStoredBody(this.context.codec, row.body, `outbox row ${row.id} in ${this.context.tables.outbox}`));
        ids.push(row.id);
      } catch (error) {
        held.add(stream);
        failures.push({ ids: [row.id], error: toError(error) });
      }
    }
    return { events, ids, failures };
  }

  /** Publishes; on failure says which rows were not accepted (all, unless the bus says otherwise). */
  private async publish(events: DomainEvent[], ids: string[]): Promise<Failure | undefined> {
    try {
      await this.publisher.publish(events);
      return undefined;
    } catch (error) {
      if (error instanceof PublishRejectedError && error.acceptedEventIds.length > 0) {
        const accepted = new Set(error.acceptedEventIds);
        return { ids: ids.filter((_, index) => !accepted.has(events[index].eventId)), error };
      }
      return { ids, error: toError(error) };
    }
  }

  private logFailure(failure: Failure, rows: OutboxRow[]): void {
    const failed = rows.filter((row) => failure.ids.includes(row.id));
    const attempts = Math.max(...failed.map((row) => row.attempts)) + 1;
    const eventIds = failed
      .slice(0, 5)
      .map((row) => row.event_id)
      .join(', ');
    this.logger.error(
      `OutboxRelay: ${failed.length} outbox row(s) not published (attempt ${attempts}; retrying with backoff). ` +
        `Event ids: ${eventIds}${failed.length > 5 ? ', …' : ''}`,
      failure.error,
    );
  }
}
