import { randomUUID } from 'node:crypto';
import { Controller, Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainEvent,
  DomainEventBus,
  EventBus,
  EventSourcingModule,
  OnAnyEvent,
  OnDomainEvent,
  OnEvent,
  Projection,
  RegisterEvent,
  type EventSourcingLogger,
} from '../../lib/index.js';

@RegisterEvent('DecoratorsSpec.ItemAdded')
class ItemAdded extends DomainEvent<ItemAdded> {
  static readonly aggregateType = 'Cart';
  @IsString() readonly sku!: string;
}

@RegisterEvent('DecoratorsSpec.ItemRemoved')
class ItemRemoved extends DomainEvent<ItemRemoved> {
  static readonly aggregateType = 'Cart';
  @IsString() readonly sku!: string;
}

@RegisterEvent('DecoratorsSpec.CartCheckedOut')
class CartCheckedOut extends DomainEvent<CartCheckedOut> {
  static readonly aggregateType = 'Cart';
}

const calls: string[] = [];
const record = (who: string, event: DomainEvent) => void calls.push(`${who}<-${event.eventType}`);

@Injectable()
class MethodHandlers {
  @OnEvent(ItemAdded)
  added(event: ItemAdded) {
    record('added', event);
  }

  @OnEvent(ItemAdded, ItemRemoved)
  changed(event: ItemAdded | ItemRemoved) {
    record('changed', event);
  }

  @OnEvent(() => CartCheckedOut)
  checkedOut(event: CartCheckedOut) {
    record('checkedOut', event);
  }

  @OnDomainEvent(ItemRemoved)
  removedThroughAlias(event: ItemRemoved) {
    record('alias', event);
  }

  @OnEvent(ItemAdded)
  @OnEvent(ItemRemoved)
  stacked(event: ItemAdded | ItemRemoved) {
    record('stacked', event);
  }

  notAHandler() {
    record('never', new CartCheckedOut({ aggregateId: randomUUID() }));
  }
}

@OnEvent(ItemAdded)
@Injectable()
class ClassLevelHandler {
  async handle(event: ItemAdded) {
    record('class', event);
  }
}

@Projection()
class CartProjection {
  readonly skus = new Set<string>();
  subscribedTo() {
    return [ItemAdded, () => ItemRemoved];
  }
  handle(event: ItemAdded | ItemRemoved) {
    record('projection', event);
    if (event instanceof ItemAdded) this.skus.add(event.sku);
    else this.skus.delete(event.sku);
  }
}

@Injectable()
class AuditTrail {
  @OnAnyEvent()
  everything(event: DomainEvent) {
    record('any-method', event);
  }
}

@OnAnyEvent()
class ClassLevelWildcard {
  handle(event: DomainEvent) {
    record('any-class', event);
  }
}

@Controller()
class CheckoutController {
  @OnEvent(CartCheckedOut)
  onCheckout(event: CartCheckedOut) {
    record('controller', event);
  }
}

@Injectable()
class FailingHandler {
  @OnEvent(CartCheckedOut)
  explode(): void {
    throw new Error('boom');
  }
}

describe('EventSourcingModule decorators', () => {
  let moduleRef: TestingModule;
  let bus: EventBus;
  const logLines: string[] = [];
  const logger: EventSourcingLogger = { log: (m) => void logLines.push(m), warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ logger })],
      providers: [MethodHandlers, ClassLevelHandler, CartProjection, AuditTrail, ClassLevelWildcard, FailingHandler],
      controllers: [CheckoutController],
    }).compile();
    await moduleRef.init();
    bus = moduleRef.get(EventBus);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('binds every decorator form once and routes each event to the right handlers', async () => {
    calls.length = 0;
    const cartId = randomUUID();
    await bus.publish([new ItemAdded({ aggregateId: cartId, sku: 'A' })]);
    expect([...calls].sort()).toEqual(
      [
        'added<-DecoratorsSpec.ItemAdded',
        'changed<-DecoratorsSpec.ItemAdded',
        'stacked<-DecoratorsSpec.ItemAdded',
        'class<-DecoratorsSpec.ItemAdded',
        'projection<-DecoratorsSpec.ItemAdded',
        'any-method<-DecoratorsSpec.ItemAdded',
        'any-class<-DecoratorsSpec.ItemAdded',
      ].sort(),
    );

    calls.length = 0;
    await bus.publish([new ItemRemoved({ aggregateId: cartId, sku: 'A' })]);
    expect([...calls].sort()).toEqual(
      [
        'changed<-DecoratorsSpec.ItemRemoved',
        'alias<-DecoratorsSpec.ItemRemoved',
        'stacked<-DecoratorsSpec.ItemRemoved',
        'projection<-DecoratorsSpec.ItemRemoved',
        'any-method<-DecoratorsSpec.ItemRemoved',
        'any-class<-DecoratorsSpec.ItemRemoved',
      ].sort(),
    );

    calls.length = 0;
    await bus.publish([new CartCheckedOut({ aggregateId: cartId })]);
    expect([...calls].sort()).toEqual(
      [
        'checkedOut<-DecoratorsSpec.CartCheckedOut',
        'controller<-DecoratorsSpec.CartCheckedOut',
        'any-method<-DecoratorsSpec.CartCheckedOut',
        'any-class<-DecoratorsSpec.CartCheckedOut',
      ].sort(),
    );
    expect(moduleRef.get(CartProjection).skus.size).toBe(0);
  });

  it('counts the subscriptions the decorators asked for', () => {
    // added, changed, stacked, class-level, projection
    expect(bus.getSubscriberCount(ItemAdded)).toBe(5);
    // changed, alias, stacked, projection
    expect(bus.getSubscriberCount(ItemRemoved)).toBe(4);
    // checkedOut, controller, failing
    expect(bus.getSubscriberCount(CartCheckedOut)).toBe(3);
    expect(bus.getWildcardSubscriberCount()).toBe(2);
  });

  it('names handlers Class.method in error reports and logs one line per binding', async () => {
    const failures: string[] = [];
    const stop = bus.onError((error, event, info) => void failures.push(`${info.handler}:${error.message}:${event.eventType}`));
    await bus.publish([new CartCheckedOut({ aggregateId: randomUUID() })]);
    stop();
    expect(failures).toEqual(['FailingHandler.explode:boom:DecoratorsSpec.CartCheckedOut']);
    expect(logLines).toEqual(
      expect.arrayContaining([
        'MethodHandlers.added -> DecoratorsSpec.ItemAdded',
        'MethodHandlers.changed -> DecoratorsSpec.ItemAdded, DecoratorsSpec.ItemRemoved',
        'MethodHandlers.checkedOut -> DecoratorsSpec.CartCheckedOut',
        'ClassLevelHandler.handle -> DecoratorsSpec.ItemAdded',
        'CartProjection.handle -> DecoratorsSpec.ItemAdded, DecoratorsSpec.ItemRemoved',
        'AuditTrail.everything -> *',
        'ClassLevelWildcard.handle -> *',
        'CheckoutController.onCheckout -> DecoratorsSpec.CartCheckedOut',
      ]),
    );
  });

  it('injects the same bus under EventBus and DomainEventBus', () => {
    expect(DomainEventBus).toBe(EventBus);
    expect(moduleRef.get(DomainEventBus)).toBe(bus);
  });
});
