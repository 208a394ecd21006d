import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import { loadPackage } from '../../utils/load-package.util.js';
import type { EventSourcingLogger } from '../../utils/logger.util.js';
import { redactUrl } from '../../utils/redact-url.util.js';
import type { ResolvedPostgresEventStoreOptions } from './postgres-event-store.options.js';
import type { PgPool, PgPoolClient } from './pg-types.js';

interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
}

/** Creates a pool from the options; `pg` is imported here, on first use, as an optional peer. */
export async function createPool(options: ResolvedPostgresEventStoreOptions, logger: EventSourcingLogger): Promise<PgPool> {
  const pg = await loadPackage('pg', 'PostgresEventStore', async () => {
    const loaded = (await import('pg')) as unknown as PgModule & { default?: PgModule };
    return loaded.default ?? loaded;
  });
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    application_name: 'nestjs-eventsource',
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (error) => logger.warn(`PostgreSQL idle connection to ${describeTarget(options)} failed: ${redactUrl(error.message)}`));
  return pool;
}

/** Takes a client, turning any failure to connect into a retriable BrokerConnectionError. */
export async function connectClient(pool: PgPool, options: ResolvedPostgresEventStoreOptions): Promise<PgPoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw connectionError(error, options);
  }
}

export function connectionError(error: unknown, options: ResolvedPostgresEventStoreOptions): BrokerConnectionError {
  const reason = error instanceof Error ? error.message || String((error as { code?: string }).code) : String(error);
  return new BrokerConnectionError(`Could not connect to PostgreSQL at ${describeTarget(options)}: ${redactUrl(reason)}`, error);
}

/** `host:port/database` (never the password), from the connection string or the pool's options. */
export function describeTarget(options: Pick<ResolvedPostgresEventStoreOptions, 'connectionString' | 'pool'>): string {
  const source = options.connectionString ?? options.pool?.options?.connectionString;
  if (source) {
    try {
      const url = new URL(source);
      const host = url.hostname || process.env.PGHOST || 'localhost';
      return `${host}:${url.port || process.env.PGPORT || 5432}${url.pathname.length > 1 ? url.pathname : ''}`;
    } catch {
      return 'the configured connection string (not a URL; not shown)';
    }
  }
  const poolOptions = options.pool?.options ?? {};
  const host = poolOptions.host ?? process.env.PGHOST ?? 'localhost';
  const port = poolOptions.port ?? process.env.PGPORT ?? 5432;
  return `${host}:${port}${poolOptions.database ? `/${poolOptions.database}` : ''}`;
}
