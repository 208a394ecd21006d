import { randomUUID } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsArray, IsDate, IsInt, IsNumber, IsString, ValidateNested } from 'class-validator';
import { DomainEvent, RegisterEvent } from '../../../lib/index.js';

/** A nested payload class: revived as an instance on the consumer side. */
export class ContractAddress {
  @IsString() street!: string;
  @IsString() city!: string;

  constructor(init?: { street: string; city: string }) {
    if (init) Object.assign(this, init);
  }
}

@RegisterEvent('contract.OrderPlaced')
export class ContractOrderPlaced extends DomainEvent<ContractOrderPlaced> {
  static readonly aggregateType = 'ContractOrder';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
  @IsDate() @Type(() => Date) readonly placedAt!: Date;
  @ValidateNested() @Type(() => ContractAddress) readonly shipTo!: ContractAddress;
  @IsArray() readonly tags!: string[];
}

@RegisterEvent('contract.OrderShipped')
export class ContractOrderShipped extends DomainEvent<ContractOrderShipped> {
  static readonly aggregateType = 'ContractOrder';
  @IsString() readonly trackingNumber!: string;
}

/** One step of an aggregate's history: `aggregateVersion` gives the order. */
@RegisterEvent('contract.StepTaken')
export class ContractStepTaken extends DomainEvent<ContractStepTaken> {
  static readonly aggregateType = 'ContractCounter';
  @IsInt() readonly step!: number;
}

export function shipped(trackingNumber = `T-${randomUUID().slice(0, 8)}`, aggregateId = randomUUID()): ContractOrderShipped {
  return new ContractOrderShipped({ aggregateId, trackingNumber });
}

/** A wire body (design §5) built by hand, for messages no registered class produced. */
export function rawBody(
  eventType: string | undefined,
  payload: Record<string, unknown> = {},
): { body: string; fields: Record<string, string> } {
  const eventId = randomUUID();
  const aggregateId = randomUUID();
  const occurredAt = new Date().toISOString();
  const base: Record<string, unknown> = {
    event_id: eventId,
    ...(eventType === undefined ? {} : { event_type: eventType }),
    event_version: 1,
    occurred_at: occurredAt,
    aggregate_id: aggregateId,
    aggregate_type: 'ContractOrder',
    aggregate_version: 1,
    tenant_id: null,
    actor_id: null,
    correlation_id: randomUUID(),
    causation_id: null,
    metadata: {},
  };
  const fields = {
    event_id: eventId,
    event_type: eventType ?? '',
    aggregate_id: aggregateId,
    aggregate_type: 'ContractOrder',
    occurred_at: occurredAt,
  };
  return { body: JSON.stringify({ ...base, ...payload }), fields };
}
