/**
 * Tutorial 7: Event Bus — the eventsource-py tutorial's complete example in TypeScript.
 * Run with: npm run -s tutorial
 */
import { randomUUID } from 'node:crypto';
import { IsNumber, IsString } from 'class-validator';
import {
  AggregateRepository,
  AggregateRoot,
  DomainEvent,
  InMemoryEventBus,
  InMemoryEventStore,
  RegisterEvent,
  type EventClass,
} from '../../lib/index.js';

// =============================================================================
// Events
// =============================================================================

@RegisterEvent()
class OrderPlaced extends DomainEvent<OrderPlaced> {
  static readonly eventType = 'OrderPlaced';
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}

@RegisterEvent()
class OrderShipped extends DomainEvent<OrderShipped> {
  static readonly eventType = 'OrderShipped';
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}

@RegisterEvent()
class OrderCancelled extends DomainEvent<OrderCancelled> {
  static readonly eventType = 'OrderCancelled';
  static readonly aggregateType = 'Order';
  @IsString() readonly reason!: string;
}

// =============================================================================
// Aggregate
// =============================================================================

interface OrderState {
  orderId: string;
  customerName: string;
  totalAmount: number;
  status: 'draft' | 'placed' | 'shipped' | 'cancelled';
}

class OrderAggregate extends AggregateRoot<OrderState> {
  static readonly aggregateType = 'Order';

  protected getInitialState(): OrderState {
    return { orderId: this.aggregateId, customerName: '', totalAmount: 0, status: 'draft' };
  }

  protected evolve(event: DomainEvent): void {
    if (event instanceof OrderPlaced) {
      this.state = { orderId: this.aggregateId, customerName: event.customerName, totalAmount: event.totalAmount, status: 'placed' };
    } else if (event instanceof OrderShipped) {
      this.state = { ...this.state, status: 'shipped' };
    } else if (event instanceof OrderCancelled) {
      this.state = { ...this.state, status: 'cancelled' };
    }
  }

  place(customerName: string, totalAmount: number): void {
    if (this.version > 0) throw new Error('Order already placed');
    this.applyEvent(new OrderPlaced({ aggregateId: this.aggregateId, customerName, totalAmount, aggregateVersion: this.getNextVersion() }));
  }

  ship(trackingNumber: string): void {
    if (this.state.status !== 'placed') throw new Error('Order must be placed to ship');
    this.applyEvent(new OrderShipped({ aggregateId: this.aggregateId, trackingNumber, aggregateVersion: this.getNextVersion() }));
  }

  cancel(reason: string): void {
    if (this.state.status === 'shipped' || this.state.status === 'cancelled') throw new Error('Cannot cancel this order');
    this.applyEvent(new OrderCancelled({ aggregateId: this.aggregateId, reason, aggregateVersion: this.getNextVersion() }));
  }
}

// =============================================================================
// Projections
// =============================================================================

class OrderSummaryProjection {
  readonly orderCounts = new Map<string, number>();
  totalRevenue = 0;

  subscribedTo(): EventClass[] {
    return [OrderPlaced, OrderShipped, OrderCancelled];
  }

  async handle(event: DomainEvent): Promise<void> {
    if (event instanceof OrderPlaced) {
      this.bump('placed', 1);
      this.totalRevenue += event.totalAmount;
    } else if (event instanceof OrderShipped) {
      if (this.count('placed') > 0) this.bump('placed', -1);
      this.bump('shipped', 1);
    } else if (event instanceof OrderCancelled) {
      for (const status of ['placed', 'shipped']) {
        if (this.count(status) > 0) {
          this.bump(status, -1);
          break;
        }
      }
      this.bump('cancelled', 1);
    }
  }

  private count(status: string): number {
    return this.orderCounts.get(status) ?? 0;
  }

  private bump(status: string, by: number): void {
    this.orderCounts.set(status, this.count(status) + by);
  }
}

// =============================================================================
// Handlers
// =============================================================================

class NotificationHandler {
  notificationsSent = 0;

  async handle(event: DomainEvent): Promise<void> {
    if (event instanceof OrderPlaced) {
      console.log(`  [Notification] Order placed by ${event.customerName}`);
      this.notificationsSent += 1;
    }
  }
}

class AuditLogger {
  readonly auditLog: Array<{ eventType: string; aggregateId: string; aggregateType: string; timestamp: Date }> = [];

  async handle(event: DomainEvent): Promise<void> {
    this.auditLog.push({
      eventType: event.eventType,
      aggregateId: event.aggregateId,
      aggregateType: event.aggregateType,
      timestamp: event.occurredAt,
    });
  }
}

/** Prints a map the way Python prints a dict: {'placed': 1, 'shipped': 1}. */
function pythonDict(map: Map<string, number>): string {
  return `{${[...map].map(([key, value]) => `'${key}': ${value}`).join(', ')}}`;
}

// =============================================================================
// Demo
// =============================================================================

async function main(): Promise<void> {
  const rule = '='.repeat(60);
  console.log(rule);
  console.log('Tutorial 7: Event Bus');
  console.log(rule);

  console.log('\n1. Setting up infrastructure...');
  const eventStore = new InMemoryEventStore();
  const eventBus = new InMemoryEventBus();
  const repo = new AggregateRepository({
    eventStore,
    aggregateFactory: OrderAggregate,
    aggregateType: 'Order',
    eventPublisher: eventBus, // publish on save
  });
  console.log('   - Event store, bus, and repository initialized');

  console.log('\n2. Creating handlers and projections...');
  const projection = new OrderSummaryProjection();
  const notifications = new NotificationHandler();
  const auditLogger = new AuditLogger();

  console.log('\n3. Subscribing to event bus...');
  eventBus.subscribeAll(projection);
  eventBus.subscribe(OrderPlaced, notifications);
  eventBus.subscribeToAllEvents(auditLogger);
  console.log(`   - Projection subscribed to ${projection.subscribedTo().length} event types`);
  console.log('   - Notification handler subscribed to OrderPlaced');
  console.log('   - Audit logger subscribed to all events');

  console.log('\n4. Creating orders...');
  const orderIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const orderId = randomUUID();
    orderIds.push(orderId);
    const order = repo.createNew(orderId);
    order.place(`Customer ${i + 1}`, 100 + i * 50);
    await repo.save(order);
  }
  console.log(`   Created ${orderIds.length} orders`);

  console.log('\n5. Shipping an order...');
  const toShip = await repo.load(orderIds[0]);
  toShip.ship('TRACK-123');
  await repo.save(toShip);
  console.log('   Order shipped');

  console.log('\n6. Cancelling an order...');
  const toCancel = await repo.load(orderIds[1]);
  toCancel.cancel('Customer request');
  await repo.save(toCancel);
  console.log('   Order cancelled');

  console.log('\n7. Querying projection:');
  console.log(`   Total revenue: $${projection.totalRevenue.toFixed(2)}`);
  console.log(`   Order counts: ${pythonDict(projection.orderCounts)}`);

  console.log('\n8. Notification handler:');
  console.log(`   Notifications sent: ${notifications.notificationsSent}`);

  console.log('\n9. Audit log:');
  console.log(`   Total events logged: ${auditLogger.auditLog.length}`);
  for (const entry of auditLogger.auditLog.slice(0, 3)) {
    console.log(`   - ${entry.eventType} on ${entry.aggregateType}`);
  }

  console.log('\n10. Event bus statistics:');
  const stats = eventBus.getStats();
  console.log(`    Events published: ${stats.eventsPublished}`);
  console.log(`    Handlers invoked: ${stats.handlersInvoked}`);
  console.log(`    Handler errors: ${stats.handlerErrors}`);
  console.log(`    Subscribers for OrderPlaced: ${eventBus.getSubscriberCount(OrderPlaced)}`);
  console.log(`    Wildcard subscribers: ${eventBus.getWildcardSubscriberCount()}`);

  console.log('\n11. Shutting down...');
  await eventBus.shutdown();
  console.log('    Event bus shutdown complete');

  console.log(`\n${rule}`);
  console.log('Tutorial complete!');
  console.log(rule);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
