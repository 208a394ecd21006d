import { Catch, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AggregateNotFoundError, EventValidationError, OptimisticLockError } from '../../lib/index.js';
import { OrderTransitionError } from './orders/order-transition.error.js';

type MappedError = AggregateNotFoundError | OptimisticLockError | EventValidationError | OrderTransitionError;

/** Maps domain and library errors to HTTP answers in Nest's usual error shape. */
@Catch(AggregateNotFoundError, OptimisticLockError, EventValidationError, OrderTransitionError)
export class LibraryErrorsFilter implements ExceptionFilter<MappedError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: MappedError, host: ArgumentsHost): void {
    const [statusCode, label] = statusOf(error);
    const body: Record<string, unknown> = { statusCode, error: label, message: error.message };
    if (error instanceof EventValidationError) body.violations = error.violations.map(({ field, constraints }) => ({ field, constraints }));
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, statusCode);
  }
}

function statusOf(error: MappedError): [number, string] {
  if (error instanceof AggregateNotFoundError) return [HttpStatus.NOT_FOUND, 'Not Found'];
  if (error instanceof EventValidationError) return [HttpStatus.BAD_REQUEST, 'Bad Request'];
  // OptimisticLockError (someone else changed the order first) and invalid transitions.
  return [HttpStatus.CONFLICT, 'Conflict'];
}
