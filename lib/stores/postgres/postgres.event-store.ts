import { EventVersionError } from '../../errors/event-version.error.js';
import { OptimisticLockError } from '../../errors/optimistic-lock.error.js';
import type { DomainEvent } from '../../events/domain-event.js';
import { EventCodec } from '../../events/event-codec.js';
import { validateEvent } from '../../events/event-validator.js';
import { stderrLogger, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { AppendResult, EventStore, EventStream, StoredEvent } from '../event-store.interface.js';
import type { OutboxContext } from './outbox-queries.js';
import { connectClient, createPool } from './postgres-connection.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './postgres-event-rows.js';
import {
  resolvePostgresOptions,
  type PostgresEventStoreOptions,
  type ResolvedPostgresEventStoreOptions,
} from './postgres-event-store.options.js';
import { migrate, PostgresTables } from './postgres.migrations.js';
import {
  UNIQUE_VIOLATION,
  type PgDatabaseError,
  type PgPool,
  type PgPoolClient,
  type PgQueryable,
  type PgQueryResult,
} from './pg-types.js';

interface StreamState {
  /** How many of the appended event ids are stored already. */
  stored: number;
  version: number;
  lastPosition: number;
}

/**
 * Durable event store on PostgreSQL. An append is one transaction (check, one multi-row insert,
 * plus outbox rows when `outbox: true`); concurrent appends to one aggregate are decided by the
 * unique (aggregate, version) constraint. readAll() reads only up to a high-water mark below
 * which no append is still in flight, so it never skips a position that commits late.
 * `pg` is loaded on first use.
 */
export class PostgresEventStore implements EventStore {
  readonly tables: PostgresTables;
  private readonly options: ResolvedPostgresEventStoreOptions;
  private readonly codec: EventCodec;
  private readonly logger: EventSourcingLogger;
  private readonly insertSql: string;
  private pool?: PgPool;
  private initializing?: Promise<PgPool>;
  private closing?: Promise<void>;

  constructor(options: PostgresEventStoreOptions) {
    this.options = resolvePostgresOptions(options);
    this.codec = new EventCodec({ registry: options.registry });
    this.logger = options.logger ?? stderrLogger;
    this.tables = new PostgresTables(this.options.schema, this.options.tableName);
    this.insertSql = insertStatement(this.tables, this.options.outbox);
  }

  /** True with `outbox: true`: repositories then leave publishing to an OutboxRelay. */
  get publishesThroughOutbox(): boolean {
    return this.options.outbox;
  }

  /** Connects and creates missing tables (idempotent; safe from several processes at once). */
  async initialize(): Promise<void> {
    await this.ready();
  }

  /** Ends the pool if the store created it; a pool passed in stays open. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.initializing?.catch(() => undefined);
      if (this.pool && !this.options.pool) await this.pool.end();
    })();
    return this.closing;
  }

  async appendEvents(aggregateId: string, aggregateType: string, events: DomainEvent[], expectedVersion: number): Promise<AppendResult> {
    const pool = await this.ready();
    const ids = events.map((event) => event.eventId);
    if (events.length === 0) return toResult(await this.streamState(pool, aggregateId, aggregateType, ids));
    for (const event of events) validateEvent(event, `appending to ${aggregateType} ${aggregateId}`);
    const bodies = JSON.stringify(events.map((event) => this.codec.toBody(event)));
    const client = await this.connect();
    let broken = false;
    try {
      await client.query(`BEGIN; ${this.tables.appendLockSql}`);
      const state = await this.streamState(client, aggregateId, aggregateType, ids);
      if (state.stored === events.length) {
        await client.query('COMMIT');
        return toResult(state);
      }
      if (state.version !== expectedVersion) throw new OptimisticLockError(aggregateId, expectedVersion, state.version);
      checkSequence(aggregateId, events, expectedVersion);
      const { rows } = await client.query(this.insertSql, [bodies, aggregateId, aggregateType]);
      await client.query('COMMIT');
      return { newVersion: events[events.length - 1].aggregateVersion, globalPosition: Number(rows[0].last_position) };
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      if ((error as PgDatabaseError).code !== UNIQUE_VIOLATION) throw error;
      // A concurrent writer committed first (same versions or same event ids): report what is stored.
      const state = await this.streamState(pool, aggregateId, aggregateType, ids);
      if (state.stored === events.length) return toResult(state);
      if ((error as PgDatabaseError).constraint === `${this.options.tableName}_stream_uq`) {
        throw new OptimisticLockError(aggregateId, expectedVersion, state.version);
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async getEvents(aggregateId: string, aggregateType?: string, fromVersion = 0): Promise<EventStream> {
    const pool = await this.ready();
    const { rows } = await pool.query(
      `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events}
        WHERE aggregate_id = $1 AND ($2::text IS NULL OR aggregate_type = $2) AND aggregate_version > $3
        ORDER BY aggregate_version, global_position`,
      [aggregateId, aggregateType ?? null, fromVersion],
    );
    const events = (rows as unknown as EventRow[]).map((row) => toStoredEvent(this.codec, row, this.tables.events).event);
    let version = events.length ? events[events.length - 1].aggregateVersion : 0;
    if (events.length === 0 && fromVersion > 0) {
      const found = await pool.query(
        `SELECT coalesce(max(aggregate_version), 0) AS version FROM ${this.tables.events}
          WHERE aggregate_id = $1 AND ($2::text IS NULL OR aggregate_type = $2)`,
        [aggregateId, aggregateType ?? null],
      );
      version = Number(found.rows[0].version);
    }
    return { aggregateId, aggregateType, events, version };
  }

  /**
   * Pages through the table by position (readPageSize rows per query), up to the high-water mark
   * taken when iteration starts: events appended later are left for the next call.
   */
  async *readAll(fromPosition = 0): AsyncIterable<StoredEvent> {
    const pool = await this.ready();
    const pageSize = this.options.readPageSize;
    const results = (await pool.query(this.tables.highWaterMarkSql)) as unknown as PgQueryResult[];
    const highWaterMark = results[results.length - 1].rows[0].high_water_mark as string;
    let after = Math.max(0, Math.floor(fromPosition));
    for (;;) {
      const { rows } = await pool.query(
        `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events}
          WHERE global_position > $1 AND global_position <= $2
          ORDER BY global_position LIMIT $3`,
        [after, highWaterMark, pageSize],
      );
      for (const row of rows as unknown as EventRow[]) {
        const stored = toStoredEvent(this.codec, row, this.tables.events);
        after = stored.globalPosition;
        yield stored;
      }
      if (rows.length < pageSize) return;
    }
  }

  /** For OutboxRelay: the pool, table names and codec of an initialized store. */
  async outboxContext(): Promise<OutboxContext> {
    const pool = await this.ready();
    return { pool, tables: this.tables, codec: this.codec, connect: () => this.connect() };
  }

  private ready(): Promise<PgPool> {
    this.initializing ??= this.setUp().catch((error: unknown) => {
      this.initializing = undefined;
      throw error;
    });
    return this.initializing;
  }

  private async setUp(): Promise<PgPool> {
    this.pool ??= this.options.pool ?? (await createPool(this.options, this.logger));
    const client = await connectClient(this.pool, this.options);
    let failed = false;
    try {
      await migrate(client, this.tables, this.options.outbox);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      client.release(failed);
    }
    return this.pool;
  }

  private async connect(): Promise<PgPoolClient> {
    return connectClient(await this.ready(), this.options);
  }

  private async streamState(db: PgQueryable, aggregateId: string, aggregateType: string, ids: string[]): Promise<StreamState> {
    const { rows } = await db.query(
      `SELECT s.stored, v.aggregate_version, v.global_position
         FROM (SELECT count(*)::int AS stored FROM ${this.tables.events} WHERE event_id = ANY($3::uuid[])) s
         LEFT JOIN LATERAL (
           SELECT aggregate_version, global_position FROM ${this.tables.events}
            WHERE aggregate_id = $1 AND aggregate_type = $2
            ORDER BY aggregate_version DESC LIMIT 1) v ON true`,
      [aggregateId, aggregateType, ids],
    );
    const row = rows[0] as { stored: number; aggregate_version: number | null; global_position: string | null };
    return { stored: row.stored, version: row.aggregate_version ?? 0, lastPosition: Number(row.global_position ?? 0) };
  }
}

function toResult(state: StreamState): AppendResult {
  return { newVersion: state.version, globalPosition: state.lastPosition };
}

function checkSequence(aggregateId: string, events: DomainEvent[], expectedVersion: number): void {
  events.forEach((event, index) => {
    const expected = expectedVersion + index + 1;
    if (event.aggregateVersion !== expected) {
      throw new EventVersionError(aggregateId, expected, event.aggregateVersion, event.eventType);
    }
  });
}

/**
 * One statement per append whatever the number of events: the bodies travel as one JSON array
 * ($1) and the columns are taken from them. With an outbox, the same statement queues the rows
 * and notifies waiting relays (delivered on commit).
 */
function insertStatement(tables: PostgresTables, outbox: boolean): string {
  const insert = `INSERT INTO ${tables.events}
      (event_id, event_type, aggregate_id, aggregate_type, aggregate_version, occurred_at, tenant_id, payload)
    SELECT (b->>'event_id')::uuid, b->>'event_type', $2, $3, (b->>'aggregate_version')::int,
           (b->>'occurred_at')::timestamptz, (b->>'tenant_id')::uuid, b
      FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(b, n)
     ORDER BY n
    RETURNING global_position, event_id, payload`;
  if (!outbox) return `WITH inserted AS (${insert}) SELECT max(global_position)::text AS last_position FROM inserted`;
  return `WITH inserted AS (${insert}),
    queued AS (
      INSERT INTO ${tables.outbox} (event_id, aggregate_id, aggregate_type, body)
      SELECT event_id, $2, $3, payload FROM inserted ORDER BY global_position
    )
    SELECT (SELECT max(global_position) FROM inserted)::text AS last_position, pg_notify('${tables.channel}', '') AS notified`;
}
