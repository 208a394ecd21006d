import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { DomainEvent, InMemoryEventBus, RegisterEvent } from '../../lib/index.js';

@RegisterEvent()
class SmokeHappened extends DomainEvent<SmokeHappened> {
  static readonly aggregateType = 'Smoke';
  @IsString() readonly note!: string;
}

describe('smoke', () => {
  it('keeps the payload under define semantics and delivers it', async () => {
    const bus = new InMemoryEventBus();
    const seen: string[] = [];
    bus.subscribe(SmokeHappened, (e) => void seen.push(e.note));
    const event = new SmokeHappened({ aggregateId: randomUUID(), note: 'hi' });
    expect(Object.isFrozen(event)).toBe(true);
    await bus.publish([event]);
    expect(seen).toEqual(['hi']);
  });
});
