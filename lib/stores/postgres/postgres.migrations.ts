import { createHash } from 'node:crypto';
import type { PgQueryable } from './pg-types.js';

/**
 * Quoted names, lock keys and the notification channel of one store's tables. Schema and table
 * names are validated identifiers (postgres-event-store.options.ts), so quoting them is enough.
 */
export class PostgresTables {
  readonly events: string;
  readonly outbox: string;
  /** Taken (shared) by every append until it commits; appends do not block one another. */
  readonly appendLockSql: string;
  /**
   * Waits (exclusive on the append lock) until no append is in flight, then reads the highest
   * position. Every position up to it is final: a position cannot commit late behind it.
   */
  readonly highWaterMarkSql: string;
  /** One outbox relay publishes at a time per table, which keeps per-aggregate order. */
  readonly relayLockSql: string;
  readonly migrationLockSql: string;
  /** LISTEN/NOTIFY channel: short and fixed-length, because channel names are capped at 63 bytes. */
  readonly channel: string;

  constructor(
    readonly schema: string,
    readonly tableName: string,
  ) {
    this.events = `"${schema}"."${tableName}"`;
    this.outbox = `"${schema}"."${tableName}_outbox"`;
    const appendKey = lockKey(`append:${schema}.${tableName}`);
    this.appendLockSql = `SELECT pg_advisory_xact_lock_shared(${appendKey})`;
    // Two statements in one simple query run as one implicit transaction, and the second takes
    // its snapshot after the lock is granted.
    this.highWaterMarkSql =
      `SELECT pg_advisory_xact_lock(${appendKey}); ` +
      `SELECT coalesce(max(global_position), 0)::text AS high_water_mark FROM ${this.events}`;
    this.relayLockSql = `SELECT pg_try_advisory_xact_lock(${lockKey(`relay:${schema}.${tableName}`)}) AS leader`;
    this.migrationLockSql = `SELECT pg_advisory_xact_lock(${lockKey(`migrate:${schema}`)})`;
    this.channel = `eventsource_outbox_${createHash('sha256').update(`${schema}.${tableName}`).digest('hex').slice(0, 16)}`;
  }
}

// Two-int advisory keys live apart from the single-bigint keys applications usually take;
// the first int marks this library ('EVST').
const LOCK_CLASS = 0x45565354;

/** Names are validated identifiers, so embedding them in a literal is safe. */
function lockKey(name: string): string {
  return `${LOCK_CLASS}, hashtext('nestjs-eventsource:${name}')`;
}

function eventsDdl(t: PostgresTables): string {
  const name = t.tableName;
  return `
    CREATE TABLE ${t.events} (
      global_position   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id          uuid NOT NULL,
      event_type        text NOT NULL,
      aggregate_id      text NOT NULL,
      aggregate_type    text NOT NULL,
      aggregate_version integer NOT NULL CHECK (aggregate_version > 0),
      occurred_at       timestamptz NOT NULL,
      tenant_id         uuid,
      payload           jsonb NOT NULL,
      stored_at         timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "${name}_event_id_uq" UNIQUE (event_id),
      CONSTRAINT "${name}_stream_uq" UNIQUE (aggregate_id, aggregate_type, aggregate_version)
    );
    CREATE INDEX "${name}_type_idx" ON ${t.events} (event_type, global_position);`;
}

function outboxDdl(t: PostgresTables): string {
  const name = `${t.tableName}_outbox`;
  return `
    CREATE TABLE ${t.outbox} (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id        uuid NOT NULL,
      aggregate_id    text NOT NULL,
      aggregate_type  text NOT NULL,
      body            jsonb NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      attempts        integer NOT NULL DEFAULT 0,
      last_error      text,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      sent_at         timestamptz
    );
    CREATE INDEX "${name}_pending_idx" ON ${t.outbox} (id) WHERE sent_at IS NULL;
    CREATE INDEX "${name}_stream_idx" ON ${t.outbox} (aggregate_id, aggregate_type, id) WHERE sent_at IS NULL;
    CREATE INDEX "${name}_sent_idx" ON ${t.outbox} (sent_at) WHERE sent_at IS NOT NULL;`;
}

/**
 * Creates what is missing, in one transaction under an advisory lock, so several instances can
 * start at once. Existing objects are detected first: an application role without CREATE
 * rights works against tables someone else created.
 */
export async function migrate(client: PgQueryable, t: PostgresTables, withOutbox: boolean): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(t.migrationLockSql);
    const { rows } = await client.query(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS has_schema,
              to_regclass($2) IS NOT NULL AS has_events,
              to_regclass($3) IS NOT NULL AS has_outbox`,
      [t.schema, t.events, t.outbox],
    );
    const found = rows[0] as { has_schema: boolean; has_events: boolean; has_outbox: boolean };
    if (!found.has_schema) await client.query(`CREATE SCHEMA "${t.schema}"`);
    if (!found.has_events) await client.query(eventsDdl(t));
    if (withOutbox && !found.has_outbox) await client.query(outboxDdl(t));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
