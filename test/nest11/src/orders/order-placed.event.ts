import { IsNumber, IsString } from 'class-validator';
import { DomainEvent, RegisterEvent } from 'nestjs-eventsource';

@RegisterEvent()
export class OrderPlaced extends DomainEvent<OrderPlaced> {
  static readonly eventType = 'OrderPlaced';
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}
