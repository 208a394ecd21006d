/** A small order domain shared by the aggregate and repository specs. */
import { IsNumber, IsString } from 'class-validator';
import { AggregateRoot, DomainEvent, EventRegistry, RegisterEvent } from '../../../lib/index.js';

export const orderRegistry = new EventRegistry();

@RegisterEvent({ registry: orderRegistry })
export class AgOrderPlaced extends DomainEvent<AgOrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}

@RegisterEvent({ registry: orderRegistry })
export class AgOrderShipped extends DomainEvent<AgOrderShipped> {
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}

export interface OrderState {
  customerName: string;
  totalAmount: number;
  status: 'draft' | 'placed' | 'shipped';
  history: string[];
}

export class OrderAggregate extends AggregateRoot<OrderState> {
  static readonly aggregateType = 'Order';
  // A subclass field: getInitialState() reads it, so the initial state must be built lazily.
  private readonly initialStatus: OrderState['status'] = 'draft';

  protected getInitialState(): OrderState {
    return { customerName: '', totalAmount: 0, status: this.initialStatus, history: [] };
  }

  protected evolve(event: DomainEvent): void {
    if (event instanceof AgOrderPlaced) {
      this.state = { ...this.state, customerName: event.customerName, totalAmount: event.totalAmount, status: 'placed' };
    } else if (event instanceof AgOrderShipped) {
      this.state.status = 'shipped'; // mutating works as well as assigning
    }
    this.state.history.push(event.eventType);
  }

  place(customerName: string, totalAmount: number): void {
    this.applyEvent(
      new AgOrderPlaced({ aggregateId: this.aggregateId, customerName, totalAmount, aggregateVersion: this.getNextVersion() }),
    );
  }

  ship(trackingNumber: string): void {
    this.applyEvent(new AgOrderShipped({ aggregateId: this.aggregateId, trackingNumber, aggregateVersion: this.getNextVersion() }));
  }
}
