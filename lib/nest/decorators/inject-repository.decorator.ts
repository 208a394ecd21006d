import { Inject } from '@nestjs/common';
import { getRepositoryToken } from '../tokens.js';

/**
 * Injects the AggregateRepository that `EventSourcingModule.forFeature([Aggregate])` provides:
 *
 *   constructor(@InjectRepository(OrderAggregate) private readonly orders: AggregateRepository<OrderAggregate>) {}
 */
export function InjectRepository(aggregate: Function): PropertyDecorator & ParameterDecorator {
  return Inject(getRepositoryToken(aggregate));
}

/** Same as InjectRepository; for apps that also use @nestjs/typeorm. */
export const InjectAggregateRepository = InjectRepository;
