import { AggregateRoot, DomainEvent } from 'nestjs-eventsource';
import { OrderPlaced } from './order-placed.event';

export interface OrderState {
  customerName: string | null;
  totalAmount: number;
}

export class OrderAggregate extends AggregateRoot<OrderState> {
  static readonly aggregateType = 'Order';

  protected getInitialState(): OrderState {
    return { customerName: null, totalAmount: 0 };
  }

  protected evolve(event: DomainEvent): void {
    if (event instanceof OrderPlaced) this.state = { customerName: event.customerName, totalAmount: event.totalAmount };
  }

  place(customerName: string, totalAmount: number): void {
    this.applyEvent(new OrderPlaced({ aggregateId: this.aggregateId, customerName, totalAmount, aggregateVersion: this.getNextVersion() }));
  }
}
