import { randomUUID } from 'node:crypto';
import { IsNumber, IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import {
  DomainEvent,
  EventNotRegisteredError,
  EventValidationError,
  RegisterEvent,
  isDomainEvent,
  validateEvent,
  type EventInit,
} from '../../lib/index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

@RegisterEvent()
class DeOrderPlaced extends DomainEvent<DeOrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}

@RegisterEvent()
class DeNoAggregateType extends DomainEvent<DeNoAggregateType> {}

function placed(extra: Partial<ConstructorParameters<typeof DeOrderPlaced>[0]> = {}): DeOrderPlaced {
  return new DeOrderPlaced({ aggregateId: randomUUID(), customerName: 'Alice', totalAmount: 99.99, ...extra });
}

function violationOf(run: () => unknown): EventValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error('expected an EventValidationError');
}

describe('DomainEvent construction', () => {
  it('keeps the typed payload and fills every base field with its default', () => {
    const before = Date.now();
    const aggregateId = randomUUID();
    const event = new DeOrderPlaced({ aggregateId, customerName: 'Alice', totalAmount: 99.99 });
    expect(event.customerName).toBe('Alice');
    expect(event.totalAmount).toBe(99.99);
    expect(event.aggregateId).toBe(aggregateId);
    expect(event.eventId).toMatch(UUID_V4);
    expect(event.eventType).toBe('DeOrderPlaced');
    expect(event.eventVersion).toBe(1);
    expect(event.occurredAt).toBeInstanceOf(Date);
    expect(event.occurredAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(event.occurredAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(event.aggregateType).toBe('Order');
    expect(event.aggregateVersion).toBe(1);
    expect(event.tenantId).toBeNull();
    expect(event.actorId).toBeNull();
    expect(event.correlationId).toMatch(UUID_V4);
    expect(event.correlationId).not.toBe(event.eventId);
    expect(event.causationId).toBeNull();
    expect(event.metadata).toEqual({});
    expect(isDomainEvent(event)).toBe(true);
    expect(isDomainEvent({ eventId: event.eventId })).toBe(false);
  });

  it('types the constructor: a missing, misspelled or mistyped payload field does not compile', () => {
    const aggregateId = randomUUID();
    // Payload rules are checked later (validateEvent), so these construct at run time; `npm run
    // typecheck` fails if any of the @ts-expect-error lines below stops being a type error.
    // @ts-expect-error customerName is missing
    expect(new DeOrderPlaced({ aggregateId, totalAmount: 1 }).totalAmount).toBe(1);
    // @ts-expect-error customerNme is misspelled
    expect(new DeOrderPlaced({ aggregateId, customerNme: 'A', customerName: 'A', totalAmount: 1 }).customerName).toBe('A');
    // @ts-expect-error totalAmount must be a number
    expect(new DeOrderPlaced({ aggregateId, customerName: 'A', totalAmount: '1' }).totalAmount).toBe('1');
    // @ts-expect-error aggregateId is required
    expect(() => new DeOrderPlaced({ customerName: 'A', totalAmount: 1 })).toThrow(EventValidationError);
  });

  it('gives every event new ids', () => {
    const a = placed();
    const b = placed();
    expect(a.eventId).not.toBe(b.eventId);
    expect(a.correlationId).not.toBe(b.correlationId);
  });

  it('accepts every given base field, and UUIDs of any version', () => {
    const v7 = '01890a5d-ac96-774b-bcce-b302099a8057';
    const v5 = '2c0243c0-d136-5985-a6c1-3e7de748e34b';
    const tenantId = randomUUID();
    const causationId = randomUUID();
    const event = placed({
      eventId: v7,
      eventVersion: 3,
      occurredAt: '2025-01-15T10:30:00.123456Z',
      aggregateId: v5,
      aggregateType: 'Purchase',
      aggregateVersion: 7,
      tenantId,
      actorId: 'user:alice',
      correlationId: v5,
      causationId,
      metadata: { source: 'api', nested: { n: 1 } },
    });
    expect(event).toMatchObject({
      eventId: v7,
      eventVersion: 3,
      aggregateId: v5,
      aggregateType: 'Purchase',
      aggregateVersion: 7,
      tenantId,
      actorId: 'user:alice',
      correlationId: v5,
      causationId,
      metadata: { source: 'api', nested: { n: 1 } },
    });
    expect(event.occurredAt.toISOString()).toBe('2025-01-15T10:30:00.123Z');
  });

  it('copies a given occurredAt Date instead of sharing it', () => {
    const when = new Date('2024-02-03T04:05:06.789Z');
    const event = placed({ occurredAt: when });
    when.setFullYear(2000);
    expect(event.occurredAt.toISOString()).toBe('2024-02-03T04:05:06.789Z');
  });

  it('is frozen, its metadata too', () => {
    const event = placed({ metadata: { a: 1 } });
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.metadata)).toBe(true);
    expect(() => {
      (event as { customerName: string }).customerName = 'Mallory';
    }).toThrow(TypeError);
    expect(event.customerName).toBe('Alice');
  });

  it('does not share the caller metadata object', () => {
    const metadata: Record<string, unknown> = { a: 1 };
    const event = placed({ metadata });
    metadata.a = 2;
    expect(event.metadata).toEqual({ a: 1 });
  });
});

describe('DomainEvent base field validation', () => {
  it('rejects a non-UUID aggregateId, naming field, value and rule', () => {
    const error = violationOf(() => placed({ aggregateId: 'order-1' }));
    expect(error.field).toBe('aggregateId');
    expect(error.value).toBe('order-1');
    expect(error.rule).toBe('isUuid');
    expect(error.message).toContain('Invalid event DeOrderPlaced');
    expect(error.message).toContain('aggregateId = "order-1"');
    expect(error.message).toContain('must be a UUID string');
  });

  it('rejects a missing aggregateId', () => {
    const error = violationOf(() => new DeOrderPlaced({ customerName: 'A', totalAmount: 1 } as never));
    expect(error.violations.map((v) => v.field)).toEqual(['aggregateId']);
    expect(error.message).toContain('(required)');
  });

  it.each([
    ['aggregateVersion', { aggregateVersion: 0 }, 'min'],
    ['aggregateVersion', { aggregateVersion: 1.5 }, 'min'],
    ['eventVersion', { eventVersion: 0 }, 'min'],
    ['tenantId', { tenantId: 'acme' }, 'isUuid'],
    ['correlationId', { correlationId: 'corr-1' }, 'isUuid'],
    ['causationId', { causationId: 'cause-1' }, 'isUuid'],
    ['eventId', { eventId: 'not-a-uuid' }, 'isUuid'],
    ['metadata', { metadata: 'tags' }, 'isObject'],
    ['metadata', { metadata: ['a'] }, 'isObject'],
    ['metadata', { metadata: new Map() }, 'isObject'],
    ['actorId', { actorId: 42 }, 'isString'],
    ['occurredAt', { occurredAt: 'yesterday' }, 'isDate'],
  ])('rejects a bad %s (%j)', (field, extra, rule) => {
    const error = violationOf(() => placed(extra as never));
    expect(error.violations).toHaveLength(1);
    expect(error.field).toBe(field);
    expect(error.rule).toBe(rule);
    expect(error.message).toContain(`- ${field} = `);
  });

  it('lists every failing base field at once', () => {
    const error = violationOf(() =>
      placed({
        aggregateId: 'x',
        aggregateVersion: 0,
        eventVersion: 0,
        tenantId: 'acme',
        correlationId: 'c',
        causationId: 'd',
        metadata: 'm' as never,
      }),
    );
    expect(error.violations.map((v) => v.field).sort()).toEqual(
      ['aggregateId', 'aggregateVersion', 'causationId', 'correlationId', 'eventVersion', 'metadata', 'tenantId'].sort(),
    );
    for (const field of ['aggregateId', 'aggregateVersion', 'eventVersion', 'tenantId', 'correlationId', 'causationId', 'metadata']) {
      expect(error.message).toContain(`- ${field} = `);
    }
  });

  it('requires an aggregateType from the argument or the class', () => {
    const error = violationOf(() => new DeNoAggregateType({ aggregateId: randomUUID() }));
    expect(error.field).toBe('aggregateType');
    expect(error.message).toContain('static aggregateType');
    expect(new DeNoAggregateType({ aggregateId: randomUUID(), aggregateType: 'Thing' }).aggregateType).toBe('Thing');
  });

  it('rejects a constructor argument that is not an object', () => {
    const error = violationOf(() => new DeOrderPlaced(undefined as never));
    expect(error.field).toBe('(constructor argument)');
  });

  it('does not check payload rules at construction: validateEvent() does', () => {
    const event = placed({ customerName: 42 as never, totalAmount: 'lots' as never });
    expect(event.customerName).toBe(42);
    const error = violationOf(() => validateEvent(event));
    expect(error.violations.map((v) => v.field).sort()).toEqual(['customerName', 'totalAmount']);
  });
});

describe('DomainEvent copies', () => {
  it('withCausation keeps eventId and payload, takes the correlation and sets causationId', () => {
    const cause = placed();
    const effect = placed({ customerName: 'Bob' });
    const copy = effect.withCausation(cause);
    expect(copy).not.toBe(effect);
    expect(copy).toBeInstanceOf(DeOrderPlaced);
    expect(copy.eventId).toBe(effect.eventId);
    expect(copy.correlationId).toBe(cause.correlationId);
    expect(copy.causationId).toBe(cause.eventId);
    expect(copy.customerName).toBe('Bob');
    expect(copy.occurredAt.getTime()).toBe(effect.occurredAt.getTime());
    expect(Object.isFrozen(copy)).toBe(true);
    expect(effect.causationId).toBeNull();
  });

  it('withMetadata merges into a copy', () => {
    const event = placed({ metadata: { a: 1, b: 1 } });
    const copy = event.withMetadata({ b: 2, c: 3 });
    expect(copy.metadata).toEqual({ a: 1, b: 2, c: 3 });
    expect(event.metadata).toEqual({ a: 1, b: 1 });
    expect(copy.eventId).toBe(event.eventId);
    expect(copy.totalAmount).toBe(99.99);
  });

  it('withAggregateVersion returns a validated copy', () => {
    const event = placed();
    const copy = event.withAggregateVersion(5);
    expect(copy.aggregateVersion).toBe(5);
    expect(event.aggregateVersion).toBe(1);
    expect(copy.eventId).toBe(event.eventId);
    expect(() => event.withAggregateVersion(0)).toThrow(EventValidationError);
  });
});

describe('DomainEvent.toJSON', () => {
  it('returns the wire body: base keys in wire order, then the payload', () => {
    const event = placed({ occurredAt: new Date('2025-01-15T10:30:00.123Z'), actorId: 'u1' });
    const body = event.toJSON();
    expect(Object.keys(body)).toEqual([
      'event_id',
      'event_type',
      'event_version',
      'occurred_at',
      'aggregate_id',
      'aggregate_type',
      'aggregate_version',
      'tenant_id',
      'actor_id',
      'correlation_id',
      'causation_id',
      'metadata',
      'customerName',
      'totalAmount',
    ]);
    expect(body.occurred_at).toBe('2025-01-15T10:30:00.123Z');
    expect(body.occurred_at).toMatch(/Z$/);
    expect(body).toMatchObject({
      event_type: 'DeOrderPlaced',
      aggregate_type: 'Order',
      tenant_id: null,
      actor_id: 'u1',
      causation_id: null,
    });
    expect(JSON.parse(JSON.stringify(event))).toEqual(JSON.parse(JSON.stringify(body)));
  });
});

describe('Registration is required', () => {
  it('throws EventNotRegisteredError for an undecorated subclass, naming the class and the fix', () => {
    class Forgotten extends DomainEvent<Forgotten> {
      static readonly aggregateType = 'Order';
    }
    const run = () => new Forgotten({ aggregateId: randomUUID() });
    expect(run).toThrow(EventNotRegisteredError);
    expect(run).toThrow(/Forgotten/);
    expect(run).toThrow(/@RegisterEvent\(\)/);
  });

  it('throws for an undecorated subclass of a decorated event too', () => {
    class Sub extends DeOrderPlaced {}
    expect(() => new Sub({ aggregateId: randomUUID(), customerName: 'a', totalAmount: 1 })).toThrow(EventNotRegisteredError);
  });

  it('supports a decorated subclass of a decorated event: both keep their payload', () => {
    @RegisterEvent()
    class DePriorityOrderPlaced extends DeOrderPlaced {
      @IsString() readonly priority!: string;
      // The inherited constructor is typed for the parent's payload; this one adds `priority`.
      constructor(init: EventInit<DePriorityOrderPlaced>) {
        super(init);
      }
    }
    const sub = new DePriorityOrderPlaced({ aggregateId: randomUUID(), customerName: 'Carol', totalAmount: 5, priority: 'high' });
    expect(sub.eventType).toBe('DePriorityOrderPlaced');
    expect(sub).toBeInstanceOf(DeOrderPlaced);
    expect(sub).toMatchObject({ customerName: 'Carol', totalAmount: 5, priority: 'high', aggregateType: 'Order' });
    expect(Object.isFrozen(sub)).toBe(true);
    expect(() => validateEvent(sub)).not.toThrow();
    expect(() =>
      validateEvent(new DePriorityOrderPlaced({ aggregateId: randomUUID(), customerName: 'C', totalAmount: 5, priority: 1 as never })),
    ).toThrow(EventValidationError);
    const base = placed({ customerName: 'Dan' });
    expect(base.eventType).toBe('DeOrderPlaced');
    expect(base.customerName).toBe('Dan');
    expect(Object.isFrozen(base)).toBe(true);
  });
});
