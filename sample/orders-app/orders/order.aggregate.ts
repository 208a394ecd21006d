import { AggregateRoot, type DomainEvent } from '../../../lib/index.js';
import { OrderCancelled, OrderPlaced, OrderShipped } from './order.events.js';
import { OrderTransitionError } from './order-transition.error.js';

export type OrderStatus = 'new' | 'placed' | 'shipped' | 'cancelled';

export interface OrderState {
  status: OrderStatus;
  customerName: string | null;
  totalAmount: number;
  trackingNumber: string | null;
  cancellationReason: string | null;
}

export class OrderAggregate extends AggregateRoot<OrderState> {
  static readonly aggregateType = 'Order';

  protected getInitialState(): OrderState {
    return { status: 'new', customerName: null, totalAmount: 0, trackingNumber: null, cancellationReason: null };
  }

  protected evolve(event: DomainEvent): void {
    if (event instanceof OrderPlaced) {
      this.state = { ...this.state, status: 'placed', customerName: event.customerName, totalAmount: event.totalAmount };
    } else if (event instanceof OrderShipped) {
      this.state = { ...this.state, status: 'shipped', trackingNumber: event.trackingNumber };
    } else if (event instanceof OrderCancelled) {
      this.state = { ...this.state, status: 'cancelled', cancellationReason: event.reason };
    }
  }

  place(customerName: string, totalAmount: number): void {
    this.require('new', 'placed');
    this.applyEvent(new OrderPlaced({ aggregateId: this.aggregateId, customerName, totalAmount, aggregateVersion: this.getNextVersion() }));
  }

  ship(trackingNumber: string): void {
    this.require('placed', 'shipped');
    this.applyEvent(new OrderShipped({ aggregateId: this.aggregateId, trackingNumber, aggregateVersion: this.getNextVersion() }));
  }

  cancel(reason: string): void {
    this.require('placed', 'cancelled');
    this.applyEvent(new OrderCancelled({ aggregateId: this.aggregateId, reason, aggregateVersion: this.getNextVersion() }));
  }

  private require(status: OrderStatus, action: string): void {
    if (this.state.status !== status) throw new OrderTransitionError(this.aggregateId, this.state.status, action);
  }
}
