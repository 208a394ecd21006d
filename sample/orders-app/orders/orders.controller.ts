import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { AggregateRepository, InjectRepository } from '../../../lib/index.js';
import { OrderAggregate, type OrderState } from './order.aggregate.js';
import { CancelOrderDto, PlaceOrderDto, ShipOrderDto } from './orders.dto.js';

export interface OrderView extends OrderState {
  id: string;
  version: number;
}

@Controller('orders')
export class OrdersController {
  constructor(@InjectRepository(OrderAggregate) private readonly orders: AggregateRepository<OrderAggregate>) {}

  @Post()
  async place(@Body() dto: PlaceOrderDto): Promise<OrderView> {
    const order = this.orders.createNew(randomUUID());
    order.place(dto.customerName, dto.totalAmount);
    await this.orders.save(order);
    return view(order);
  }

  @Post(':id/ship')
  @HttpCode(200)
  async ship(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ShipOrderDto): Promise<OrderView> {
    const order = await this.orders.load(id);
    order.ship(dto.trackingNumber);
    await this.orders.save(order);
    return view(order);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CancelOrderDto): Promise<OrderView> {
    const order = await this.orders.load(id);
    order.cancel(dto.reason);
    await this.orders.save(order);
    return view(order);
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<OrderView> {
    return view(await this.orders.load(id));
  }
}

function view(order: OrderAggregate): OrderView {
  return { id: order.aggregateId, version: order.version, ...order.state };
}
