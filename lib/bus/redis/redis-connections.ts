import type { Redis, RedisOptions } from 'ioredis';
import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import { loadPackage } from '../../utils/load-package.util.js';
import type { EventSourcingLogger } from '../../utils/logger.util.js';
import { redactUrl } from '../../utils/redact-url.util.js';
import type { ResolvedRedisEventBusConfig } from './redis-event-bus.config.js';

type RedisConstructor = new (url: string, options: RedisOptions) => Redis;

export type ConnectionRole = 'commands' | 'consumer';

export interface ConnectionHooks {
  /** Called on every 'ready' after the first one: the connection came back. */
  onReconnect(role: ConnectionRole): void;
}

/** ioredis is an optional peer: loaded on first connect, so the package works without it. */
export async function loadRedis(): Promise<RedisConstructor> {
  const mod = await loadPackage('ioredis', 'RedisEventBus', () => import('ioredis'));
  const candidate = (mod as { Redis?: unknown }).Redis ?? (mod as { default?: unknown }).default;
  return candidate as RedisConstructor;
}

/** Reconnect forever, with exponential backoff from 100 ms to 5 s and ±20% jitter. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(5_000, 100 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Opens one connection and waits until it is ready. Both roles retry forever and keep
 * commands while disconnected (`maxRetriesPerRequest: null`); publish is bounded by the
 * core's publishTimeoutMs instead. `socketTimeout` is the watchdog for half-open sockets
 * (no FIN, no RST): a command that gets no byte back in time destroys the socket, which
 * reconnects and re-sends unanswered commands.
 */
export async function openConnection(
  RedisClass: RedisConstructor,
  config: ResolvedRedisEventBusConfig,
  role: ConnectionRole,
  logger: EventSourcingLogger,
  hooks: ConnectionHooks,
): Promise<Redis> {
  const watchdogMs =
    role === 'consumer' ? config.blockMs + Math.max(2_000, Math.min(config.blockMs, 10_000)) : Math.max(10_000, config.publishTimeoutMs);
  const options: RedisOptions = {
    ...(config.redisOptions as RedisOptions),
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    lazyConnect: true,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    socketTimeout: watchdogMs,
    retryStrategy: reconnectDelay,
    connectionName: `nestjs-eventsource:${role}:${config.consumerName}`.replace(/\s+/g, '_'),
  };
  const client = new RedisClass(config.redisUrl, options);
  const where = redactUrl(config.redisUrl);
  let everReady = false;
  let lost = false;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
    // One warning per outage; ioredis emits an error for every failed reconnect attempt.
    if (everReady && !lost && !closing.has(client))
      logger.warn(`Redis ${role} connection to ${where}: ${redactUrl(error.message)}; reconnecting`);
    lost = everReady;
  });
  client.on('close', () => {
    if (everReady && !lost && !closing.has(client)) logger.warn(`Redis ${role} connection to ${where} closed; reconnecting`);
    lost = everReady;
  });
  client.on('ready', () => {
    if (everReady) hooks.onReconnect(role);
    everReady = true;
    lost = false;
  });

  client.connect().catch(() => undefined); // failures retry in the background; readiness is awaited below
  const ready = await waitForReady(client, config.connectTimeoutMs);
  if (!ready) {
    await closeConnection(client);
    const reason = lastError ? `: ${redactUrl(lastError.message)}` : '';
    throw new BrokerConnectionError(
      `Could not connect to Redis at ${where} within connectTimeoutMs=${config.connectTimeoutMs}${reason}`,
      lastError,
    );
  }
  return client;
}

function waitForReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onReady = () => finish(true);
    const onEnd = () => finish(false);
    function finish(ok: boolean) {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      resolve(ok);
    }
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/** Connections this library is closing on purpose: their 'close' is not an outage. */
const closing = new WeakSet<Redis>();

/**
 * Closes a connection. Graceful: QUIT first, so Redis answers what was already sent (cut after
 * a second if the link hangs). Otherwise pending commands are rejected at once.
 */
export async function closeConnection(client: Redis | undefined, graceful = false): Promise<void> {
  if (!client || client.status === 'end') return;
  closing.add(client);
  if (graceful && client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)));
    await Promise.race([client.quit().catch(() => undefined), cut]);
    clearTimeout(timer);
  }
  client.disconnect();
}

/** Error text safe for logs: URLs redacted. */
export function describeError(error: unknown): string {
  return redactUrl(error instanceof Error ? error.message : String(error));
}
