/**
 * The same event class source, compiled the ways users compile it (tsc and swc, with and
 * without define semantics for class fields), must behave the same: payload kept, instance
 * frozen, validation effective, codec round trip equal.
 */
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { transformSync } from '@swc/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as lib from '../../lib/index.js';

const FIXTURE = `
import { Type } from 'class-transformer';
import { IsDate, IsNumber, IsString } from 'class-validator';
import { DomainEvent, EventRegistry, RegisterEvent } from 'nestjs-eventsource';

export const registry = new EventRegistry();

@RegisterEvent({ registry })
export class MatrixOrderPlaced extends DomainEvent<MatrixOrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
  @IsString() readonly currency: string = 'EUR';
  @IsDate() @Type(() => Date) readonly placedAt!: Date;
}
`;

// Tells define semantics apart: under them, a redeclared field hides what the base constructor set.
const PROBE = `
class Base { constructor() { (this as any).value = 'from base'; } }
export class Probe extends Base { readonly value!: string; }
`;

interface Compiler {
  name: string;
  defineFields: boolean;
  compile(source: string): string;
}

function tsc(target: ts.ScriptTarget, defineFields: boolean, decoratorMetadata = true): Compiler {
  return {
    name: `tsc ${ts.ScriptTarget[target]} useDefineForClassFields=${defineFields}${decoratorMetadata ? '' : ' without decorator metadata'}`,
    defineFields,
    compile: (source) =>
      ts.transpileModule(source, {
        fileName: 'fixture.ts',
        compilerOptions: {
          target,
          module: ts.ModuleKind.CommonJS,
          experimentalDecorators: true,
          emitDecoratorMetadata: decoratorMetadata,
          useDefineForClassFields: defineFields,
        },
      }).outputText,
  };
}

function swc(defineFields: boolean): Compiler {
  return {
    name: `swc useDefineForClassFields=${defineFields}`,
    defineFields,
    compile: (source) =>
      transformSync(source, {
        filename: 'fixture.ts',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: defineFields },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      }).code,
  };
}

const realRequire = createRequire(import.meta.url);

/** Evaluates CommonJS output; the package name resolves to this library's source. */
function evaluate(code: string): Record<string, any> {
  const module = { exports: {} as Record<string, any> };
  const requireFor = (name: string): unknown => (name === 'nestjs-eventsource' ? lib : realRequire(name));
  compileFunction(code, ['require', 'module', 'exports'])(requireFor, module, module.exports);
  return module.exports;
}

const compilers: Compiler[] = [
  tsc(ts.ScriptTarget.ES2023, true), // what `nest new` projects compile with
  tsc(ts.ScriptTarget.ES2022, true),
  tsc(ts.ScriptTarget.ES2022, false),
  tsc(ts.ScriptTarget.ES2023, false),
  swc(true),
  swc(false),
  tsc(ts.ScriptTarget.ES2023, true, false),
];

describe.each(compilers)('event class compiled by $name', (compiler) => {
  const { MatrixOrderPlaced, registry } = evaluate(compiler.compile(FIXTURE));
  const aggregateId = '3caef32a-fc7a-595f-b0ca-0639f5b6ec93';
  const placedAt = new Date('2025-01-15T10:30:00.123Z');
  const make = (extra: Record<string, unknown> = {}) =>
    new MatrixOrderPlaced({ aggregateId, customerName: 'Alice', totalAmount: 99.99, placedAt, ...extra }) as Record<string, any>;

  it('really compiles with the class-field semantics it claims', () => {
    const { Probe } = evaluate(compiler.compile(PROBE));
    expect(new Probe().value).toBe(compiler.defineFields ? undefined : 'from base');
  });

  it('keeps the payload, including a default initializer and its override', () => {
    const event = make();
    expect(event.customerName).toBe('Alice');
    expect(event.totalAmount).toBe(99.99);
    expect(event.currency).toBe('EUR');
    expect(event.placedAt).toBe(placedAt);
    expect(event.eventType).toBe('MatrixOrderPlaced');
    expect(event.aggregateType).toBe('Order');
    expect(make({ currency: 'USD' }).currency).toBe('USD');
  });

  it('freezes the instance after its fields are set', () => {
    const event = make();
    expect(Object.isFrozen(event)).toBe(true);
    expect(() => {
      event.customerName = 'Mallory';
    }).toThrow(TypeError);
  });

  it('validates with the class-validator rules of the fields', () => {
    expect(() => lib.validateEvent(make() as lib.DomainEvent)).not.toThrow();
    const bad = make({ customerName: 1, currency: 2 }) as lib.DomainEvent;
    expect(() => lib.validateEvent(bad)).toThrow(lib.EventValidationError);
    expect(() => lib.validateEvent(bad)).toThrow(/customerName[\s\S]*currency|currency[\s\S]*customerName/);
  });

  it('survives a codec round trip equal', () => {
    const codec = new lib.EventCodec({ registry });
    const event = make({ currency: 'NOK' }) as lib.DomainEvent;
    const decoded = codec.decode(codec.encode(event)) as unknown as Record<string, unknown>;
    expect(decoded).toBeInstanceOf(MatrixOrderPlaced);
    expect(decoded).toEqual(event);
    expect(decoded.placedAt).toBeInstanceOf(Date);
    expect(Object.isFrozen(decoded)).toBe(true);
  });
});
