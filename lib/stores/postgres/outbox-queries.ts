import type { EventCodec } from '../../events/event-codec.js';
import type { PostgresTables } from './postgres.migrations.js';
import type { PgPool, PgPoolClient, PgQueryable } from './pg-types.js';

/** What an OutboxRelay needs from its store. */
export interface OutboxContext {
  pool: PgPool;
  tables: PostgresTables;
  codec: EventCodec;
  /** A client from the store's pool; failures are BrokerConnectionErrors naming host:port. */
  connect(): Promise<PgPoolClient>;
}

export interface OutboxRow {
  id: string;
  event_id: string;
  aggregate_id: string;
  aggregate_type: string;
  body: Record<string, unknown>;
  attempts: number;
}

/**
 * Due rows in id order, locked for this transaction. A row waits while an earlier row of the
 * same aggregate is backing off, so a retry never lets an aggregate's later events overtake it.
 */
export async function claimDueRows(client: PgQueryable, tables: PostgresTables, limit: number): Promise<OutboxRow[]> {
  const { rows } = await client.query(
    `SELECT o.id::text AS id, o.event_id::text AS event_id, o.aggregate_id, o.aggregate_type, o.body, o.attempts
       FROM ${tables.outbox} o
      WHERE o.sent_at IS NULL AND o.next_attempt_at <= now()
        AND NOT EXISTS (
          SELECT 1 FROM ${tables.outbox} earlier
           WHERE earlier.sent_at IS NULL AND earlier.next_attempt_at > now()
             AND earlier.aggregate_id = o.aggregate_id AND earlier.aggregate_type = o.aggregate_type
             AND earlier.id < o.id)
      ORDER BY o.id
      LIMIT $1
      FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows as unknown as OutboxRow[];
}

export async function markSent(client: PgQueryable, tables: PostgresTables, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(`UPDATE ${tables.outbox} SET sent_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Counts a failed attempt and schedules the next one, from now: base × 2^(attempts so far), capped. */
export async function markFailed(
  client: PgQueryable,
  tables: PostgresTables,
  ids: string[],
  error: string,
  backoff: { baseDelayMs: number; maxDelayMs: number },
): Promise<void> {
  if (ids.length === 0) return;
  await client.query(
    `UPDATE ${tables.outbox}
        SET attempts = attempts + 1,
            last_error = $2,
            next_attempt_at = clock_timestamp() + LEAST($4::float8, $3::float8 * power(2, LEAST(attempts, 40))) * interval '1 millisecond'
      WHERE id = ANY($1::bigint[])`,
    [ids, error.slice(0, 2000), backoff.baseDelayMs, backoff.maxDelayMs],
  );
}

/** Deletes rows sent longer ago than the retention, a bounded number at a time. */
export async function purgeSent(client: PgQueryable, tables: PostgresTables, retentionMs: number): Promise<number> {
  const result = await client.query(
    `DELETE FROM ${tables.outbox} WHERE id IN (
       SELECT id FROM ${tables.outbox}
        WHERE sent_at IS NOT NULL AND sent_at < now() - $1::float8 * interval '1 millisecond'
        LIMIT 10000)`,
    [retentionMs],
  );
  return result.rowCount ?? 0;
}
