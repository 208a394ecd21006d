/** Events, handlers and a capturing logger shared by the in-memory bus specs. */
import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { DomainEvent, EventRegistry, RegisterEvent, type EventSourcingLogger } from '../../../lib/index.js';

export const busRegistry = new EventRegistry();

@RegisterEvent({ registry: busRegistry })
export class BusOrderCreated extends DomainEvent<BusOrderCreated> {
  static readonly aggregateType = 'Order';
  @IsString() readonly orderNumber!: string;
}

@RegisterEvent({ registry: busRegistry })
export class BusOrderShipped extends DomainEvent<BusOrderShipped> {
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}

@RegisterEvent({ registry: busRegistry })
export class BusOrderCancelled extends DomainEvent<BusOrderCancelled> {
  static readonly aggregateType = 'Order';
  @IsString() readonly reason!: string;
}

export const created = (orderNumber = 'ORD-1') => new BusOrderCreated({ aggregateId: randomUUID(), orderNumber });
export const shipped = (trackingNumber = 'TRK-1') => new BusOrderShipped({ aggregateId: randomUUID(), trackingNumber });
export const cancelled = (reason = 'changed mind') => new BusOrderCancelled({ aggregateId: randomUUID(), reason });

export class RecordingHandler {
  readonly events: DomainEvent[] = [];
  async handle(event: DomainEvent): Promise<void> {
    this.events.push(event);
  }
}

export class SyncRecordingHandler {
  readonly events: DomainEvent[] = [];
  handle(event: DomainEvent): void {
    this.events.push(event);
  }
}

export class FailingHandler {
  calls = 0;
  constructor(private readonly message = 'handler failed on purpose') {}
  async handle(): Promise<void> {
    this.calls++;
    throw new Error(this.message);
  }
}

export interface LogLine {
  level: 'error' | 'warn' | 'log' | 'debug';
  message: string;
  meta: unknown[];
}

/** A logger that keeps what the library logs, so tests can assert on it and stderr stays quiet. */
export function capturingLogger(): EventSourcingLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record =
    (level: LogLine['level']) =>
    (message: string, ...meta: unknown[]) =>
      void lines.push({ level, message, meta });
  return { lines, error: record('error'), warn: record('warn'), log: record('log'), debug: record('debug') };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
