import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { DomainEvent, EventRegistry, RegisterEvent, eventTypeOf, getEventRegistry, isEventClass, type EventInit } from '../../lib/index.js';

describe('@RegisterEvent()', () => {
  it('registers the class in the default registry under its class name', () => {
    @RegisterEvent()
    class ReDefaultNamed extends DomainEvent<ReDefaultNamed> {
      static readonly aggregateType = 'Order';
    }
    expect(getEventRegistry().get('ReDefaultNamed')).toBe(ReDefaultNamed);
    expect(getEventRegistry().has(ReDefaultNamed)).toBe(true);
    expect(isEventClass(ReDefaultNamed)).toBe(true);
    expect(eventTypeOf(ReDefaultNamed)).toBe('ReDefaultNamed');
    expect(ReDefaultNamed.name).toBe('ReDefaultNamed');
    expect(new ReDefaultNamed({ aggregateId: randomUUID() }).eventType).toBe('ReDefaultNamed');
  });

  it("takes a type name argument: @RegisterEvent('orders.placed')", () => {
    @RegisterEvent('re.orders.placed')
    class ReNamedByArgument extends DomainEvent<ReNamedByArgument> {
      static readonly aggregateType = 'Order';
    }
    expect(getEventRegistry().get('re.orders.placed')).toBe(ReNamedByArgument);
    expect(getEventRegistry().has('ReNamedByArgument')).toBe(false);
    expect(new ReNamedByArgument({ aggregateId: randomUUID() }).eventType).toBe('re.orders.placed');
  });

  it('registers in a given registry only: @RegisterEvent({ registry })', () => {
    const registry = new EventRegistry();
    @RegisterEvent({ registry })
    class ReOwnRegistry extends DomainEvent<ReOwnRegistry> {
      static readonly aggregateType = 'Order';
    }
    expect(registry.get('ReOwnRegistry')).toBe(ReOwnRegistry);
    expect(getEventRegistry().has('ReOwnRegistry')).toBe(false);
  });

  it('takes both options: @RegisterEvent({ eventType, registry })', () => {
    const registry = new EventRegistry();
    @RegisterEvent({ eventType: 're.both', registry })
    class ReBoth extends DomainEvent<ReBoth> {
      static readonly aggregateType = 'Order';
    }
    expect(registry.listTypes()).toEqual(['re.both']);
    expect(new ReBoth({ aggregateId: randomUUID() }).eventType).toBe('re.both');
  });

  it('rejects an empty type name', () => {
    expect(() => RegisterEvent('')(class ReEmpty extends DomainEvent {})).toThrow(TypeError);
    expect(() => RegisterEvent('')(class ReEmpty extends DomainEvent {})).toThrow(/ReEmpty: the event type must be a non-empty string/);
  });
});

describe('type name precedence', () => {
  const registry = new EventRegistry();

  it('uses the own static eventType over the class name', () => {
    @RegisterEvent({ registry })
    class ReStatic extends DomainEvent<ReStatic> {
      static readonly eventType = 're.static';
      static readonly aggregateType = 'Order';
    }
    expect(eventTypeOf(ReStatic)).toBe('re.static');
    expect(new ReStatic({ aggregateId: randomUUID() }).eventType).toBe('re.static');
  });

  it('uses the decorator argument over the static eventType', () => {
    @RegisterEvent({ registry, eventType: 're.argument-wins' })
    class ReArgumentWins extends DomainEvent<ReArgumentWins> {
      static readonly eventType = 're.static-loses';
      static readonly aggregateType = 'Order';
    }
    expect(new ReArgumentWins({ aggregateId: randomUUID() }).eventType).toBe('re.argument-wins');
    expect(registry.has('re.static-loses')).toBe(false);
  });

  it('does not let a subclass inherit the parent static eventType (Object.hasOwn)', () => {
    @RegisterEvent({ registry })
    class ReParent extends DomainEvent<ReParent> {
      static readonly eventType = 're.parent';
      static readonly aggregateType = 'Order';
      @IsString() readonly a!: string;
    }
    @RegisterEvent({ registry })
    class ReChild extends ReParent {
      @IsString() readonly b!: string;
      constructor(init: EventInit<ReChild>) {
        super(init);
      }
    }
    expect(ReChild.eventType).toBe('re.parent'); // inherited as a JS static ...
    expect(eventTypeOf(ReChild)).toBe('ReChild'); // ... but not as a type name
    const child = new ReChild({ aggregateId: randomUUID(), a: 'x', b: 'y' });
    expect(child.eventType).toBe('ReChild');
    expect(registry.get('ReChild')).toBe(ReChild);
    expect(registry.get('re.parent')).toBe(ReParent);
  });

  it('reports a class-name default as such (broker buses warn about it)', () => {
    @RegisterEvent({ registry })
    class ReClassNamed extends DomainEvent<ReClassNamed> {}
    const meta = (ReClassNamed as unknown as Record<symbol, { source: string }>)[Symbol.for('nestjs-eventsource.event-meta.v1')];
    expect(meta.source).toBe('class-name');
  });
});
