import { Projection, type DomainEvent } from '../../../lib/index.js';
import { OrderCancelled, OrderPlaced, OrderShipped } from './order.events.js';
import type { OrderStatus } from './order.aggregate.js';

export interface OrderSummary {
  totalOrders: number;
  placed: number;
  shipped: number;
  cancelled: number;
  /** Sum over orders that are not cancelled. */
  revenue: number;
}

interface OrderRow {
  status: OrderStatus;
  amount: number;
  version: number;
}

/**
 * A read model kept in memory. Brokers deliver at least once, so it applies each order's
 * events by version: a redelivered event (same or older version) changes nothing.
 */
@Projection()
export class OrderSummaryProjection {
  private readonly orders = new Map<string, OrderRow>();

  subscribedTo() {
    return [OrderPlaced, OrderShipped, OrderCancelled];
  }

  handle(event: DomainEvent): void {
    const row = this.orders.get(event.aggregateId);
    if (row && event.aggregateVersion <= row.version) return;
    if (event instanceof OrderPlaced) {
      this.orders.set(event.aggregateId, { status: 'placed', amount: event.totalAmount, version: event.aggregateVersion });
    } else if (row && event instanceof OrderShipped) {
      this.orders.set(event.aggregateId, { ...row, status: 'shipped', version: event.aggregateVersion });
    } else if (row && event instanceof OrderCancelled) {
      this.orders.set(event.aggregateId, { ...row, status: 'cancelled', version: event.aggregateVersion });
    }
  }

  summary(): OrderSummary {
    const summary: OrderSummary = { totalOrders: this.orders.size, placed: 0, shipped: 0, cancelled: 0, revenue: 0 };
    for (const row of this.orders.values()) {
      if (row.status === 'placed' || row.status === 'shipped' || row.status === 'cancelled') summary[row.status]++;
      if (row.status !== 'cancelled') summary.revenue += row.amount;
    }
    summary.revenue = Math.round(summary.revenue * 100) / 100;
    return summary;
  }
}
