import { randomUUID } from 'node:crypto';
import { IsArray, IsNumber, IsString } from 'class-validator';
import { DomainEvent } from '../../lib/events/domain-event.js';
import { RegisterEvent } from '../../lib/events/register-event.decorator.js';

/** The event every suite publishes: about 300 bytes of JSON payload on top of the base fields. */
@RegisterEvent('bench.OrderPlaced')
export class BenchOrderPlaced extends DomainEvent<BenchOrderPlaced> {
  static readonly aggregateType = 'BenchOrder';
  @IsString() readonly customerName!: string;
  @IsString() readonly customerEmail!: string;
  @IsNumber() readonly totalAmount!: number;
  @IsString() readonly currency!: string;
  @IsArray() readonly items!: Array<{ sku: string; quantity: number; unitPrice: number }>;
  @IsString() readonly shippingAddress!: string;
}

export const BENCH_EVENT_TYPE = 'bench.OrderPlaced';

/** `count` events spread over `aggregates` aggregates, versions increasing per aggregate. */
export function makeEvents(count: number, aggregates = 1000): BenchOrderPlaced[] {
  const ids = Array.from({ length: Math.min(aggregates, count) }, () => randomUUID());
  const versions = new Array<number>(ids.length).fill(0);
  const events: BenchOrderPlaced[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const a = i % ids.length;
    events[i] = new BenchOrderPlaced({
      aggregateId: ids[a],
      aggregateVersion: ++versions[a],
      customerName: `Customer ${a}`,
      customerEmail: `customer.${a}@example.com`,
      totalAmount: 19.99 + (i % 100),
      currency: 'EUR',
      items: [
        { sku: `SKU-${(i % 977).toString().padStart(5, '0')}`, quantity: 1 + (i % 3), unitPrice: 9.99 },
        { sku: `SKU-${(i % 613).toString().padStart(5, '0')}`, quantity: 2, unitPrice: 4.5 },
      ],
      shippingAddress: `${i % 400} Rue de la Bench, 75000 Paris, France (door code ${i % 9999})`,
    });
  }
  return events;
}

/** Size of the payload part of the wire body (base fields excluded), in bytes. */
export function payloadBytes(event: BenchOrderPlaced): number {
  const { customerName, customerEmail, totalAmount, currency, items, shippingAddress } = event;
  return Buffer.byteLength(JSON.stringify({ customerName, customerEmail, totalAmount, currency, items, shippingAddress }));
}

/** The work every handler does, identical for every contender. */
export interface HandlerSink {
  calls: number;
  checksum: number;
}

export function handlerWork(sink: HandlerSink, event: BenchOrderPlaced): void {
  sink.calls++;
  sink.checksum = (sink.checksum + event.totalAmount * event.aggregateVersion) % 1_000_003;
}
