import { IsBoolean, IsInt, IsString } from 'class-validator';
import { DomainEvent } from '../../lib/events/domain-event.js';
import { RegisterEvent } from '../../lib/events/register-event.decorator.js';

/** The event the durability runs publish. Poison events make every handler attempt fail. */
@RegisterEvent('durability.Probe')
export class DurabilityProbe extends DomainEvent<DurabilityProbe> {
  static readonly aggregateType = 'DurabilityAggregate';
  @IsInt() readonly sequence!: number;
  @IsBoolean() readonly poison!: boolean;
  @IsString() readonly padding!: string;
}

export const PROBE_TYPE = 'durability.Probe';
export const PROBE_AGGREGATE_TYPE = 'DurabilityAggregate';

/** 1% of events, spread evenly: index % 100 === 37. */
export function isPoisonIndex(index: number): boolean {
  return index % 100 === 37;
}
