import { IsNotEmpty, IsNumber, IsPositive, IsString, MaxLength } from 'class-validator';
import { DomainEvent, RegisterEvent } from '../../../lib/index.js';

@RegisterEvent()
export class OrderPlaced extends DomainEvent<OrderPlaced> {
  static readonly eventType = 'OrderPlaced';
  static readonly aggregateType = 'Order';
  @IsString() @IsNotEmpty() @MaxLength(200) readonly customerName!: string;
  @IsNumber() @IsPositive() readonly totalAmount!: number;
}

@RegisterEvent()
export class OrderShipped extends DomainEvent<OrderShipped> {
  static readonly eventType = 'OrderShipped';
  static readonly aggregateType = 'Order';
  @IsString() @IsNotEmpty() readonly trackingNumber!: string;
}

@RegisterEvent()
export class OrderCancelled extends DomainEvent<OrderCancelled> {
  static readonly eventType = 'OrderCancelled';
  static readonly aggregateType = 'Order';
  @IsString() @IsNotEmpty() readonly reason!: string;
}
