import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireBroker } from '../../support/broker-available.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when PostgreSQL answers; false (suite skipped) locally, throws when CI=true. */
export function postgresAvailable(): Promise<boolean> {
  return requireBroker('PostgreSQL', async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
    await client.connect();
    try {
      await client.query('SELECT 1');
    } finally {
      await client.end();
    }
  });
}

/** A schema name unique to one test file; drop it with dropSchema in afterAll. */
export function uniqueSchema(): string {
  return `es_test_${randomBytes(5).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
