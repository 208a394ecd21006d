import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsNumber, IsString, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import {
  DomainEvent,
  EventCodec,
  EventRegistry,
  EventTypeNotFoundError,
  EventValidationError,
  RegisterEvent,
  UnknownEvent,
  getEventRegistry,
} from '../../lib/index.js';

const registry = new EventRegistry();

class EcLine {
  @IsString() sku!: string;
  @IsInt() quantity!: number;
}

@RegisterEvent({ registry })
class EcOrderPlaced extends DomainEvent<EcOrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
  @IsDate() @Type(() => Date) readonly promisedAt!: Date;
  @IsDate() readonly paidAt!: Date;
  @ValidateNested({ each: true }) @Type(() => EcLine) readonly lines!: EcLine[];
}

function line(sku: string, quantity: number): EcLine {
  return Object.assign(new EcLine(), { sku, quantity });
}

function sample(): EcOrderPlaced {
  return new EcOrderPlaced({
    aggregateId: randomUUID(),
    aggregateVersion: 2,
    tenantId: randomUUID(),
    actorId: 'user:1',
    causationId: randomUUID(),
    metadata: { source: 'test', deep: { list: [1, 'two'] } },
    customerName: 'Alice',
    totalAmount: 99.99,
    promisedAt: new Date('2025-03-04T05:06:07.089Z'),
    paidAt: new Date('2025-03-01T00:00:00.000Z'),
    lines: [line('A-1', 2), line('B-2', 1)],
  });
}

describe('EventCodec round trip', () => {
  const codec = new EventCodec({ registry });

  it('decodes what it encodes into an equal event', () => {
    const event = sample();
    const decoded = codec.decode(codec.encode(event)) as EcOrderPlaced;
    expect(decoded).toBeInstanceOf(EcOrderPlaced);
    expect(decoded).not.toBe(event);
    expect(decoded).toEqual(event);
    expect(Object.isFrozen(decoded)).toBe(true);
  });

  it('revives Dates (for @Type(() => Date) and for @IsDate() alone) and nested classes', () => {
    const decoded = codec.decode(codec.encode(sample())) as EcOrderPlaced;
    expect(decoded.occurredAt).toBeInstanceOf(Date);
    expect(decoded.promisedAt).toBeInstanceOf(Date);
    expect(decoded.promisedAt.toISOString()).toBe('2025-03-04T05:06:07.089Z');
    expect(decoded.paidAt).toBeInstanceOf(Date);
    expect(decoded.paidAt.toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(decoded.lines[1]).toBeInstanceOf(EcLine);
    expect(decoded.lines[1]).toEqual(line('B-2', 1));
  });

  it('accepts bytes and an already parsed body', () => {
    const event = sample();
    expect(codec.decode(Buffer.from(codec.encode(event)))).toEqual(event);
    expect(codec.decode(JSON.parse(codec.encode(event)) as Record<string, unknown>)).toEqual(event);
  });

  it('writes snake_case payload keys with payloadNaming snake_case, and reads them back', () => {
    const snake = new EventCodec({ registry, payloadNaming: 'snake_case' });
    const event = sample();
    const body = snake.toBody(event);
    expect(Object.keys(body).slice(12)).toEqual(['customer_name', 'total_amount', 'promised_at', 'paid_at', 'lines']);
    expect(body.customer_name).toBe('Alice');
    expect(body).not.toHaveProperty('customerName');
    const decoded = snake.decode(snake.encode(event)) as EcOrderPlaced;
    expect(decoded.customerName).toBe('Alice');
    expect(decoded).toEqual(event);
  });

  it('uses the default registry when none is given', () => {
    expect(new EventCodec().registry).toBe(getEventRegistry());
  });
});

describe('EventCodec against eventsource-py recordings', () => {
  const wire = new EventRegistry();
  @RegisterEvent({ registry: wire })
  class OrderPlaced extends DomainEvent<OrderPlaced> {
    static readonly aggregateType = 'Order';
    @IsString() readonly customerName!: string;
    @IsNumber() readonly totalAmount!: number;
  }
  @RegisterEvent({ registry: wire })
  class OrderShipped extends DomainEvent<OrderShipped> {
    static readonly aggregateType = 'Order';
    @IsString() readonly trackingNumber!: string;
  }
  @RegisterEvent({ registry: wire })
  class OrderCancelled extends DomainEvent<OrderCancelled> {
    static readonly aggregateType = 'Order';
    @IsString() readonly reason!: string;
  }
  const classes: Record<string, unknown> = { OrderPlaced, OrderShipped, OrderCancelled };
  const codec = new EventCodec({ registry: wire, payloadNaming: 'snake_case' });
  const fixture = JSON.parse(readFileSync(new URL('../../../shared/fixtures/wire/events.json', import.meta.url), 'utf8')) as {
    events: Array<{ case: string; event_class: string; model_dump_json: string; to_dict: Record<string, unknown> }>;
  };

  it.each(fixture.events.map((recorded) => [recorded.case, recorded] as const))('decodes %s', (_, recorded) => {
    const event = codec.decode(recorded.model_dump_json);
    const dict = recorded.to_dict;
    expect(event).toBeInstanceOf(classes[recorded.event_class] as never);
    expect(event.eventId).toBe(dict.event_id);
    expect(event.eventType).toBe(dict.event_type);
    expect(event.eventVersion).toBe(dict.event_version);
    expect(event.occurredAt.getTime()).toBe(new Date(dict.occurred_at as string).getTime());
    expect(event.aggregateId).toBe(dict.aggregate_id);
    expect(event.aggregateType).toBe(dict.aggregate_type);
    expect(event.aggregateVersion).toBe(dict.aggregate_version);
    expect(event.tenantId).toBe(dict.tenant_id);
    expect(event.actorId).toBe(dict.actor_id);
    expect(event.correlationId).toBe(dict.correlation_id);
    expect(event.causationId).toBe(dict.causation_id);
    expect(event.metadata).toEqual(dict.metadata);
    // Re-encoded, the body equals the recording after JSON.parse (times to the millisecond).
    const again = JSON.parse(codec.encode(event)) as Record<string, unknown>;
    expect(Object.keys(again)).toEqual(Object.keys(dict));
    expect({ ...again, occurred_at: undefined }).toEqual({ ...dict, occurred_at: undefined });
    expect(new Date(again.occurred_at as string).getTime()).toBe(event.occurredAt.getTime());
    expect(again.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('accepts a six-digit fraction in occurred_at', () => {
    const body = JSON.parse(fixture.events[0].model_dump_json) as Record<string, unknown>;
    expect(body.occurred_at).toBe('2025-01-15T10:30:00.123456Z');
    expect(codec.decode(body).occurredAt.toISOString()).toBe('2025-01-15T10:30:00.123Z');
  });

  it('decodes the payload values', () => {
    const placed = codec.decode(fixture.events[0].model_dump_json) as OrderPlaced;
    expect(placed.customerName).toBe('Alice Smith');
    expect(placed.totalAmount).toBe(42.5);
    expect((codec.decode(fixture.events[1].model_dump_json) as OrderShipped).trackingNumber).toBe('1Z999AA10123456784');
    expect((codec.decode(fixture.events[2].model_dump_json) as OrderCancelled).reason).toBe('Customer changed their mind');
  });
});

describe('EventCodec bad input', () => {
  const codec = new EventCodec({ registry });
  const good = () => JSON.parse(codec.encode(sample())) as Record<string, unknown>;

  function caught(run: () => unknown): Error {
    try {
      run();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected decode to throw');
  }

  it('rejects invalid JSON with EventValidationError', () => {
    const error = caught(() => codec.decode('{"event_type": "EcOrderPlaced",'));
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error.message).toContain('body is not valid JSON');
  });

  it('rejects a body that is not an object', () => {
    expect(caught(() => codec.decode('[1,2]'))).toBeInstanceOf(EventValidationError);
    expect(caught(() => codec.decode('null'))).toBeInstanceOf(EventValidationError);
  });

  it('rejects a missing event_type with EventValidationError', () => {
    const body = good();
    delete body.event_type;
    const error = caught(() => codec.decode(JSON.stringify(body), 'redis entry 1-0')) as EventValidationError;
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error.field).toBe('event_type');
    expect(error.message).toContain('redis entry 1-0');
  });

  it('rejects a payload failing its rules, listing every field', () => {
    const body = { ...good(), customerName: 5, totalAmount: 'x' };
    const error = caught(() => codec.decode(body)) as EventValidationError;
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error.violations.map((v) => v.field).sort()).toEqual(['customerName', 'totalAmount']);
  });

  it('rejects bad base fields', () => {
    const error = caught(() => codec.decode({ ...good(), aggregate_id: 'nope', aggregate_version: 0 })) as EventValidationError;
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error.violations.map((v) => v.field).sort()).toEqual(['aggregateId', 'aggregateVersion']);
  });

  it('throws EventTypeNotFoundError for an unknown type', () => {
    const error = caught(() => codec.decode({ ...good(), event_type: 'Nobody.Knows' }));
    expect(error).toBeInstanceOf(EventTypeNotFoundError);
    expect(error.message).toBe(
      "Unknown event type: 'Nobody.Knows'. Available types: EcOrderPlaced. Did you forget to register this event type?",
    );
  });

  it('decodeOrUnknown turns an unknown type into an UnknownEvent holding the raw payload', () => {
    const body: Record<string, unknown> = { ...good(), event_type: 'Nobody.Knows', customer_name: 'Zed', extra: { a: 1 } };
    const event = codec.decodeOrUnknown(JSON.stringify(body)) as UnknownEvent;
    expect(event).toBeInstanceOf(UnknownEvent);
    expect(event.eventType).toBe('Nobody.Knows');
    expect(event.eventId).toBe(body.event_id);
    expect(event.aggregateId).toBe(body.aggregate_id);
    expect(event.aggregateType).toBe('Order');
    expect(event.data).toMatchObject({ customer_name: 'Zed', extra: { a: 1 }, customerName: 'Alice' });
    expect(event.data).not.toHaveProperty('event_id');
    expect(Object.isFrozen(event)).toBe(true);
    expect(event.toJSON()).toMatchObject({ event_type: 'Nobody.Knows', customer_name: 'Zed' });
  });

  it('keeps the type and raw payload of an UnknownEvent in its copies', () => {
    const body = { ...good(), event_type: 'Nobody.Knows', customer_name: 'Zed' };
    const event = codec.decodeOrUnknown(body) as UnknownEvent;
    const cause = sample();
    for (const copy of [event.withCausation(cause), event.withMetadata({ hop: 1 }), event.withAggregateVersion(9)]) {
      expect(copy).toBeInstanceOf(UnknownEvent);
      expect(copy.eventType).toBe('Nobody.Knows');
      expect(copy.eventId).toBe(event.eventId);
      expect(copy.data).toEqual(event.data);
      expect(copy.toJSON()).toMatchObject({ event_type: 'Nobody.Knows', customer_name: 'Zed' });
    }
    expect(event.withCausation(cause).causationId).toBe(cause.eventId);
  });

  it('decodeOrUnknown decodes a known type normally', () => {
    expect(codec.decodeOrUnknown(codec.encode(sample()))).toBeInstanceOf(EcOrderPlaced);
  });
});
