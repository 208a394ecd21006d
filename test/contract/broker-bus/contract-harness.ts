import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { BrokerEventBus, DomainEvent, EventSourcingLogger } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { ContractStepTaken } from './contract-events.js';

export interface ContractBusOptions {
  group: string;
  consumerName?: string;
  /** Unique per test: the stream/exchange/topic prefix of this bus. */
  prefix: string;
  /** Shared BrokerBusConfig keys the test needs (retries, concurrency, ...). */
  config?: Record<string, unknown>;
  /** Collects the bus's log lines (quiet tests, and assertions on warnings). */
  logger?: EventSourcingLogger;
}

export type MakeBus = (options: ContractBusOptions) => BrokerEventBus;

export interface BrokerContractOptions {
  /** Puts a raw message on the broker as a foreign producer would (garbage bodies included). */
  injectRaw(prefix: string, body: string, fields: Record<string, string>): Promise<void>;
  /** Removes what the suite created under these prefixes and closes helper connections. Called by the
   *  last test and again from afterAll (then with an empty list): it must tolerate a second call. */
  cleanup?(prefixes: string[]): Promise<void>;
  /** Skip the whole suite (broker unreachable on a developer machine). */
  skip?: boolean;
  /** Deadline for each wait; slower brokers (Kafka group joins) may need more. */
  waitMs?: number;
}

/** Short retry delays keep the suite fast; every bus of the suite gets them. */
export const FAST_RETRIES = { retryBaseDelayMs: 20, retryMaxDelayMs: 200, retryJitter: 0.1 };

export interface LogLine {
  level: 'error' | 'warn' | 'log' | 'debug';
  message: string;
}

export class ContractHarness {
  readonly logs: LogLine[] = [];
  readonly prefixes: string[] = [];
  private readonly buses = new Set<BrokerEventBus>();
  readonly logger: EventSourcingLogger = {
    error: (message) => this.record('error', message),
    warn: (message) => this.record('warn', message),
    log: (message) => this.record('log', message),
    debug: (message) => this.record('debug', message),
  };

  constructor(
    readonly name: string,
    private readonly makeBus: MakeBus,
    readonly options: BrokerContractOptions,
  ) {}

  get waitMs(): number {
    return this.options.waitMs ?? 15_000;
  }

  /** A fresh prefix (and so a fresh stream/exchange/topic) for one test. */
  prefix(label: string): string {
    const prefix = `contract-${label}-${randomBytes(4).toString('hex')}`;
    this.prefixes.push(prefix);
    return prefix;
  }

  bus(options: ContractBusOptions): BrokerEventBus {
    const bus = this.makeBus({ ...options, config: { ...FAST_RETRIES, ...options.config }, logger: options.logger ?? this.logger });
    this.buses.add(bus);
    return bus;
  }

  /** A consuming bus: `setup` subscribes its handlers before consuming starts. */
  async consumer(options: ContractBusOptions, setup: (bus: BrokerEventBus) => void): Promise<BrokerEventBus> {
    const bus = this.bus(options);
    setup(bus);
    await bus.startConsuming();
    return bus;
  }

  wait(predicate: () => boolean | Promise<boolean>, timeoutMs = this.waitMs): Promise<void> {
    return waitFor(predicate, timeoutMs, 10);
  }

  async shutdownAll(): Promise<void> {
    const buses = [...this.buses];
    this.buses.clear();
    await Promise.all(buses.map((bus) => bus.shutdown(5_000)));
  }

  /**
   * Restarts a consumer of `group` (same consumer name), publishes a marker and waits for it:
   * the events in `ids` must not come again, i.e. they were acknowledged.
   */
  async expectNotRedelivered(prefix: string, group: string, consumerName: string, ids: string[]): Promise<void> {
    const seen: string[] = [];
    const marker = new ContractStepTaken({ aggregateId: randomUUID(), step: 1 });
    const bus = await this.consumer({ prefix, group, consumerName }, (b) =>
      b.subscribeToAllEvents((e: DomainEvent) => void seen.push(e.eventId)),
    );
    await this.publisher(prefix).publish([marker]);
    await this.wait(() => seen.includes(marker.eventId));
    await bus.whenIdle();
    expect(seen.filter((id) => ids.includes(id))).toEqual([]);
    await bus.shutdown();
  }

  /** A bus that only publishes (never consumes) on `prefix`. */
  publisher(prefix: string): BrokerEventBus {
    return this.bus({ prefix, group: `publisher-${randomBytes(3).toString('hex')}` });
  }

  private record(level: LogLine['level'], message: string): void {
    this.logs.push({ level, message });
    if (process.env.CONTRACT_LOGS === 'true') process.stderr.write(`[${this.name}] ${level} ${message}\n`);
  }
}

export function uniqueName(label: string): string {
  return `${label}-${randomBytes(3).toString('hex')}`;
}

/** A handler that records what it received. */
export function recorder<E extends DomainEvent = DomainEvent>(): { events: E[]; handler: (event: E) => void } {
  const events: E[] = [];
  return { events, handler: (event: E) => void events.push(event) };
}
