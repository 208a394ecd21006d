/*
 * The slice of the `pg` API the store uses. Declared here rather than imported from `pg`, so the
 * published types do not require `pg` or `@types/pg` in projects that never use this store.
 * A real `pg.Pool` satisfies these interfaces.
 */

export interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

export interface PgNotification {
  channel: string;
  payload?: string;
}

export interface PgPoolClient extends PgQueryable {
  release(destroy?: boolean | Error): void;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly options?: { host?: string; port?: number; database?: string; connectionString?: string };
}

/** A PostgreSQL error as `pg` reports it (SQLSTATE in `code`). */
export interface PgDatabaseError extends Error {
  code?: string;
  constraint?: string;
}

export const UNIQUE_VIOLATION = '23505';
