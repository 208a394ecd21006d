import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainEvent, EventBus, EventSourcingModule, OnAnyEvent, OnEvent, Projection, RegisterEvent } from '../../lib/index.js';

@RegisterEvent('ExactlyOnceSpec.Counted')
class Counted extends DomainEvent<Counted> {
  static readonly aggregateType = 'Counter';
}

@Injectable()
class CountingHandler {
  typed = 0;
  wildcard = 0;
  @OnEvent(Counted)
  onCounted() {
    this.typed++;
  }
  @OnAnyEvent()
  onAny() {
    this.wildcard++;
  }
}

@Projection()
class CountingProjection {
  seen = 0;
  subscribedTo() {
    return [Counted];
  }
  handle() {
    this.seen++;
  }
}

@Module({ providers: [CountingHandler, CountingProjection], exports: [CountingHandler, CountingProjection] })
class HandlersModule {}

@Module({ imports: [HandlersModule] })
class OrdersFeatureModule {}

@Module({ imports: [HandlersModule] })
class BillingFeatureModule {}

describe('each event reaches each handler instance exactly once', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function publishOne(): Promise<void> {
    await moduleRef!.get(EventBus).publish([new Counted({ aggregateId: randomUUID() })]);
  }

  it('when the handlers module is imported by several modules', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({}), OrdersFeatureModule, BillingFeatureModule, HandlersModule],
    }).compile();
    await moduleRef.init();
    await publishOne();
    const handler = moduleRef.get(CountingHandler);
    expect([handler.typed, handler.wildcard, moduleRef.get(CountingProjection).seen]).toEqual([1, 1, 1]);
    expect(moduleRef.get(EventBus).getSubscriberCount(Counted)).toBe(2);
  });

  it('when a handler is also exposed through useExisting or the same instance through useValue twice', async () => {
    const shared = new CountingProjection();
    moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({})],
      providers: [
        CountingHandler,
        { provide: 'ExactlyOnceSpec.alias', useExisting: CountingHandler },
        { provide: 'ExactlyOnceSpec.first', useValue: shared },
        { provide: 'ExactlyOnceSpec.second', useValue: shared },
      ],
    }).compile();
    await moduleRef.init();
    await publishOne();
    expect(moduleRef.get('ExactlyOnceSpec.alias')).toBe(moduleRef.get(CountingHandler));
    expect([moduleRef.get(CountingHandler).typed, moduleRef.get(CountingHandler).wildcard, shared.seen]).toEqual([1, 1, 1]);
  });

  it('when the same module graph is booted twice in one process (each app binds its own instances)', async () => {
    const build = async () => {
      const ref = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({}), OrdersFeatureModule, BillingFeatureModule],
      }).compile();
      return ref.init();
    };
    moduleRef = await build();
    const second = await build();
    try {
      await publishOne();
      expect(moduleRef.get(CountingHandler).typed).toBe(1);
      expect(second.get(CountingHandler).typed).toBe(0);
    } finally {
      await second.close();
    }
  });
});
