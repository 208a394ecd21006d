import { randomUUID } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsNumber, IsOptional, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { DomainEvent, EventRegistry, EventValidationError, RegisterEvent, validateEvent } from '../../lib/index.js';

const registry = new EventRegistry();

class EvLine {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

class EvAddress {
  @IsString() @MinLength(2) city!: string;
}

@RegisterEvent({ registry })
class EvOrderPlaced extends DomainEvent<EvOrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
  @IsDate() @Type(() => Date) readonly placedAt!: Date;
  @ValidateNested({ each: true }) @Type(() => EvLine) readonly lines!: EvLine[];
  @ValidateNested() @Type(() => EvAddress) readonly address!: EvAddress;
  @IsOptional() @IsString() readonly note?: string;
}

@RegisterEvent({ registry })
class EvNothingDecorated extends DomainEvent<EvNothingDecorated> {
  static readonly aggregateType = 'Thing';
  readonly anything!: unknown;
}

function line(sku: unknown, quantity: unknown): EvLine {
  return Object.assign(new EvLine(), { sku, quantity });
}

function address(city: unknown): EvAddress {
  return Object.assign(new EvAddress(), { city });
}

function order(extra: Record<string, unknown> = {}): EvOrderPlaced {
  return new EvOrderPlaced({
    aggregateId: randomUUID(),
    customerName: 'Alice',
    totalAmount: 10,
    placedAt: new Date(),
    lines: [line('A-1', 2)],
    address: address('Oslo'),
    ...extra,
  } as never);
}

function caught(run: () => void): EventValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error('expected an EventValidationError');
}

describe('validateEvent', () => {
  it('passes a valid event', () => {
    expect(() => validateEvent(order())).not.toThrow();
    expect(() => validateEvent(order({ note: 'gift' }))).not.toThrow();
  });

  it('lists every failing payload field in one error', () => {
    const error = caught(() => validateEvent(order({ customerName: 7, totalAmount: 'ten', placedAt: 'monday' })));
    expect(error.violations.map((v) => v.field).sort()).toEqual(['customerName', 'placedAt', 'totalAmount']);
    expect(error.violations.find((v) => v.field === 'customerName')?.constraints).toHaveProperty('isString');
    expect(error.message).toContain('Invalid event EvOrderPlaced');
    expect(error.message).toContain('- customerName = 7: customerName must be a string');
    expect(error.message).toContain('- totalAmount = "ten"');
    expect(error.message).toContain('- placedAt = "monday"');
  });

  it('reports nested fields with their path', () => {
    const error = caught(() => validateEvent(order({ lines: [line('A-1', 1), line(5, 0)], address: address('X') })));
    expect(error.violations.map((v) => v.field).sort()).toEqual(['address.city', 'lines.1.quantity', 'lines.1.sku']);
    expect(error.message).toContain('- lines.1.quantity = 0');
    expect(error.message).toContain('- address.city = "X"');
  });

  it('adds the context to the message', () => {
    const error = caught(() => validateEvent(order({ customerName: 1 }), 'decoding from the store'));
    expect(error.message).toContain('Invalid event EvOrderPlaced (decoding from the store)');
  });

  it('accepts an event class without decorated fields (no "unknown value" error)', () => {
    const event = new EvNothingDecorated({ aggregateId: randomUUID(), anything: { free: ['form'] } });
    expect(() => validateEvent(event)).not.toThrow();
    expect(() => validateEvent(new EvNothingDecorated({ aggregateId: randomUUID() } as never))).not.toThrow();
  });

  it('validates an event again and again with the same result', () => {
    const valid = order();
    validateEvent(valid);
    expect(() => validateEvent(valid)).not.toThrow();
    const invalid = order({ customerName: 7 });
    expect(() => validateEvent(invalid)).toThrow(EventValidationError);
    expect(() => validateEvent(invalid)).toThrow(EventValidationError);
  });
});
