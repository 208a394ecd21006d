import { describe, expect, it } from 'vitest';
import {
  DomainEvent,
  DuplicateEventTypeError,
  EventNotRegisteredError,
  EventRegistry,
  EventSourcingError,
  EventTypeNotFoundError,
  RegisterEvent,
  defaultRegistry,
  getEventRegistry,
} from '../../lib/index.js';

// Each class is registered in a throwaway registry by its decorator, then used against fresh ones.
const scratch = () => ({ registry: new EventRegistry() });

@RegisterEvent(scratch())
class ErA extends DomainEvent<ErA> {}

@RegisterEvent(scratch())
class ErB extends DomainEvent<ErB> {}

@RegisterEvent({ ...scratch(), eventType: 'ErA' })
class ErImpostor extends DomainEvent<ErImpostor> {}

describe('EventRegistry', () => {
  it('registers, gets, checks and lists types', () => {
    const registry = new EventRegistry();
    expect(registry.register(ErA)).toBe('ErA');
    registry.register(ErB);
    expect(registry.get('ErA')).toBe(ErA);
    expect(registry.getOrUndefined('ErB')).toBe(ErB);
    expect(registry.getOrUndefined('Nope')).toBeUndefined();
    expect(registry.has('ErA')).toBe(true);
    expect(registry.has(ErA)).toBe(true);
    expect(registry.has('Nope')).toBe(false);
    expect(registry.listTypes()).toEqual(['ErA', 'ErB']);
    expect(registry.size).toBe(2);
  });

  it('treats re-registering the same class as a no-op', () => {
    const registry = new EventRegistry();
    registry.register(ErA);
    expect(() => registry.register(ErA)).not.toThrow();
    expect(registry.listTypes()).toEqual(['ErA']);
  });

  it('throws DuplicateEventTypeError for another class under the same name, with the exact message', () => {
    const registry = new EventRegistry();
    registry.register(ErA);
    const run = () => registry.register(ErImpostor);
    expect(run).toThrow(DuplicateEventTypeError);
    expect(run).toThrow(EventSourcingError);
    expect(run).toThrowError(/^Event type 'ErA' is already registered to ErA\. Cannot register ErImpostor with the same type name\.$/);
    expect(registry.get('ErA')).toBe(ErA);
    expect(registry.has(ErImpostor)).toBe(false);
  });

  it('throws EventTypeNotFoundError for an unknown name, with the exact message', () => {
    const registry = new EventRegistry();
    registry.register(ErA);
    registry.register(ErB);
    let caught: unknown;
    try {
      registry.get('X');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventTypeNotFoundError);
    expect((caught as Error).message).toBe(
      "Unknown event type: 'X'. Available types: ErA, ErB. Did you forget to register this event type?",
    );
    expect((caught as EventTypeNotFoundError).eventType).toBe('X');
    expect((caught as EventTypeNotFoundError).availableTypes).toEqual(['ErA', 'ErB']);
    expect((caught as Error).name).toBe('EventTypeNotFoundError');
  });

  it('refuses an undecorated class', () => {
    class Plain extends DomainEvent<Plain> {}
    expect(() => new EventRegistry().register(Plain)).toThrow(EventNotRegisteredError);
  });

  it('unregisters by name or by class, and clears', () => {
    const registry = new EventRegistry();
    registry.register(ErA);
    registry.register(ErB);
    registry.register(ErA, 'ErA.alias');
    expect(registry.unregister('ErB')).toBe(true);
    expect(registry.unregister('ErB')).toBe(false);
    expect(registry.unregister(ErA)).toBe(true);
    expect(registry.listTypes()).toEqual([]);
    registry.register(ErA);
    registry.register(ErB);
    registry.clear();
    expect(registry.listTypes()).toEqual([]);
    expect(registry.has('ErA')).toBe(false);
    registry.register(ErImpostor);
    expect(registry.get('ErA')).toBe(ErImpostor);
  });

  it('getEventRegistry() returns the default registry, a process-wide singleton', () => {
    expect(getEventRegistry()).toBe(defaultRegistry);
    expect(getEventRegistry()).toBe(getEventRegistry());
    expect(defaultRegistry).toBeInstanceOf(EventRegistry);
  });
});
