import { validateSync, type ValidationError } from 'class-validator';
import { EventValidationError, type FieldViolation } from '../errors/event-validation.error.js';
import { provenValid } from './compiled-validator.js';
import type { DomainEvent } from './domain-event.js';

/**
 * Checks an event's payload against its class-validator rules and throws one
 * EventValidationError listing every violated field (nested ones as `items.0.sku`).
 * A class without decorated fields is valid.
 */
export function validateEvent(event: DomainEvent, context?: string): void {
  // The precompiled check proves the common case valid in well under a microsecond;
  // class-validator runs only to explain a failure (or for rule kinds the check does not mirror).
  if (provenValid(event)) return;
  const errors = validateSync(event, { forbidUnknownValues: false });
  if (errors.length === 0) return;
  throw new EventValidationError(event.eventType, flatten(errors), context);
}

function flatten(errors: ValidationError[], prefix = ''): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out.push({ field, value: error.value, constraints: { ...error.constraints } });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}
