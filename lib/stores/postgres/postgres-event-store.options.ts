import { ConfigurationError } from '../../errors/configuration.error.js';
import type { EventRegistry } from '../../events/event-registry.js';
import type { EventSourcingLogger } from '../../utils/logger.util.js';
import type { PgPool } from './pg-types.js';

export interface PostgresEventStoreOptions {
  /** `postgres://user:password@host:5432/db`; the store creates (and later ends) its own pool. */
  connectionString?: string;
  /** A `pg.Pool` you own: the store uses it and never ends it. */
  pool?: PgPool;
  /** Schema of the tables, created when missing. Default `public`. */
  schema?: string;
  /** Events table name; the outbox table is `<tableName>_outbox`. Default `events`. */
  tableName?: string;
  /** Write an outbox row per event in the append transaction; publish with an OutboxRelay. */
  outbox?: boolean;
  /** Registry used to decode stored events. Default: the global registry. */
  registry?: EventRegistry;
  logger?: EventSourcingLogger;
  /** Rows fetched per query by readAll(). Default 500. */
  readPageSize?: number;
  /** Connection timeout of a pool the store creates. Default 10000. */
  connectionTimeoutMs?: number;
  /** Size of a pool the store creates. Default 10. */
  maxConnections?: number;
}

export interface ResolvedPostgresEventStoreOptions {
  connectionString?: string;
  pool?: PgPool;
  schema: string;
  tableName: string;
  outbox: boolean;
  readPageSize: number;
  connectionTimeoutMs: number;
  maxConnections: number;
}

// Names end up in DDL; allowing only plain identifiers keeps quoting trivial and safe.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

export function resolvePostgresOptions(options: PostgresEventStoreOptions): ResolvedPostgresEventStoreOptions {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('options', options, 'an object');
  const { connectionString, pool } = options;
  if (pool === undefined && (typeof connectionString !== 'string' || connectionString.length === 0)) {
    throw new ConfigurationError('connectionString', connectionString, 'a postgres:// URL (or pass pool)');
  }
  if (pool !== undefined && (pool === null || typeof pool.connect !== 'function' || typeof pool.query !== 'function')) {
    throw new ConfigurationError('pool', pool, 'a pg.Pool');
  }
  return {
    connectionString,
    pool,
    schema: identifier('schema', options.schema ?? 'public'),
    tableName: identifier('tableName', options.tableName ?? 'events'),
    outbox: flag('outbox', options.outbox ?? false),
    readPageSize: positiveInt('readPageSize', options.readPageSize ?? 500),
    connectionTimeoutMs: positiveInt('connectionTimeoutMs', options.connectionTimeoutMs ?? 10_000),
    maxConnections: positiveInt('maxConnections', options.maxConnections ?? 10),
  };
}

function identifier(key: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new ConfigurationError(key, value, 'a plain SQL identifier (letters, digits, underscores; at most 40 characters)');
  }
  return value;
}

function flag(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigurationError(key, value, 'a boolean');
  return value;
}

export function positiveInt(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(key, value, 'a positive integer');
  }
  return value;
}
