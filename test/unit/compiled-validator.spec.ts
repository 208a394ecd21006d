import {
  Allow,
  ArrayMinSize,
  Equals,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  validateSync,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { provenValid } from '../../lib/events/compiled-validator.js';

class Line {
  @IsString() sku!: unknown;
  @IsInt() @Min(1) @Max(99) quantity!: unknown;
}

@ValidatorConstraint({ name: 'evenNumber' })
class EvenNumber implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'number' && value % 2 === 0;
  }
}

@ValidatorConstraint({ name: 'truthyYes' })
class TruthyYes implements ValidatorConstraintInterface {
  // class-validator counts any truthy result as a pass.
  validate(value: unknown): boolean {
    return (value === 'yes' ? 'ok' : 0) as unknown as boolean;
  }
}

@ValidatorConstraint({ name: 'remoteCheck', async: true })
class RemoteCheck implements ValidatorConstraintInterface {
  // validateSync ignores async constraints; a sync check must too.
  validate(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

@ValidatorConstraint({ name: 'sneakyPromise' })
class SneakyPromise implements ValidatorConstraintInterface {
  validate(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

class Base {
  @IsString() id!: unknown;
}

class Order extends Base {
  @IsIn(['EUR', 'USD']) currency!: unknown;
  @IsOptional() @IsString() note?: unknown;
  @ValidateIf((o: Order) => o.currency === 'USD') @IsDefined() state?: unknown;
  @ValidateNested({ each: true }) @ArrayMinSize(1) lines!: unknown;
  @ValidateNested() primary?: unknown;
  @IsString({ each: true }) tags!: unknown;
  @Validate(EvenNumber) even!: unknown;
  @Validate(TruthyYes) answer!: unknown;
  @Validate(RemoteCheck) remote!: unknown;
  @Equals(3, { validateIf: (o: Order) => o.currency === 'EUR' }) three?: unknown;
  @Allow() free?: unknown;
}

class OnlySneaky {
  @Validate(SneakyPromise) value!: unknown;
}

class Undecorated {
  anything?: unknown;
}

function line(sku: unknown, quantity: unknown): Line {
  return Object.assign(new Line(), { sku, quantity });
}

function order(overrides: Record<string, unknown> = {}): Order {
  return Object.assign(new Order(), {
    id: 'o-1',
    currency: 'EUR',
    lines: [line('A', 1), line('B', 2)],
    tags: ['x', 'y'],
    even: 4,
    answer: 'yes',
    remote: 'anything',
    three: 3,
    ...overrides,
  });
}

const classValidatorSays = (value: object): boolean => validateSync(value, { forbidUnknownValues: false }).length === 0;

/** Valid and invalid variations of every rule kind the compiled check mirrors. */
const cases: Array<[string, object]> = [
  ['a valid order', order()],
  ['inherited rule broken', order({ id: 42 })],
  ['IsIn broken', order({ currency: 'GBP' })],
  ['IsOptional absent', order({ note: undefined })],
  ['IsOptional null', order({ note: null })],
  ['IsOptional present and wrong', order({ note: 7 })],
  ['ValidateIf off, rule skipped', order({ currency: 'EUR', state: undefined })],
  ['ValidateIf on, rule broken', order({ currency: 'USD', state: undefined, three: 99 })],
  ['ValidateIf on, rule kept', order({ currency: 'USD', state: 'CA', three: 99 })],
  ['per-rule validateIf on, broken', order({ three: 4 })],
  ['nested item broken', order({ lines: [line('A', 1), line('B', 0)] })],
  ['nested item not an object', order({ lines: [line('A', 1), 'nope'] })],
  ['nested undefined item', order({ lines: [line('A', 1), undefined] })],
  ['nested plain object item', order({ lines: [{ sku: 1 }] })],
  ['nested empty list', order({ lines: [] })],
  ['nested Set', order({ lines: new Set([line('A', 1)]) })],
  ['nested Set broken', order({ lines: new Set([line(1, 1)]) })],
  ['nested Map', order({ lines: new Map([['a', line('A', 1)]]) })],
  ['nested Map broken', order({ lines: new Map([['a', line('A', 100)]]) })],
  ['nested list of lists', order({ lines: [[line('A', 1)]] })],
  ['nested list of lists broken', order({ lines: [[line('A', 'x')]] })],
  ['single nested object', order({ primary: line('A', 1) })],
  ['single nested object broken', order({ primary: line(null, 1) })],
  ['single nested primitive', order({ primary: 5 })],
  ['each on strings', order({ tags: ['a'] })],
  ['each broken', order({ tags: ['a', 1] })],
  ['each on a non-collection', order({ tags: 'solo' })],
  ['each on a Set', order({ tags: new Set(['a', 'b']) })],
  ['custom constraint broken', order({ even: 3 })],
  ['truthy non-boolean pass', order({ answer: 'yes' })],
  ['falsy non-boolean fail', order({ answer: 'no' })],
  ['async constraint is ignored', order({ remote: undefined })],
  ['sync constraint returning a promise', Object.assign(new OnlySneaky(), { value: 1 })],
  ['class without rules', Object.assign(new Undecorated(), { anything: 1 })],
  ['plain object', { anything: 1 }],
];

describe('provenValid (precompiled class-validator rules)', () => {
  it.each(cases)('never says valid where class-validator does not: %s', (_name, value) => {
    if (provenValid(value)) expect(classValidatorSays(value)).toBe(true);
  });

  it('proves valid every case class-validator accepts, except a sync constraint that returns a promise', () => {
    const undecided = cases.filter(([, value]) => classValidatorSays(value) && !provenValid(value)).map(([name]) => name);
    expect(undecided).toEqual(['sync constraint returning a promise']);
  });

  it('finds the broken cases broken', () => {
    const broken = cases.filter(([, value]) => !classValidatorSays(value)).map(([name]) => name);
    expect(broken.length).toBeGreaterThan(10);
    for (const [name, value] of cases) if (broken.includes(name)) expect(provenValid(value), name).toBe(false);
  });

  it('answers the same on a second call (the compiled check is cached per class)', () => {
    for (const [, value] of cases) expect(provenValid(value)).toBe(provenValid(value));
  });
});
