import { Injectable } from '@nestjs/common';
import { OnEvent } from 'nestjs-eventsource';
import { OrderPlaced } from './order-placed.event';

@Injectable()
export class OrderPlacedHandler {
  readonly received: OrderPlaced[] = [];

  @OnEvent(OrderPlaced)
  placed(event: OrderPlaced): void {
    this.received.push(event);
  }
}
