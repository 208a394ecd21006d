import { plainToInstance } from 'class-transformer';
import { IS_DATE, ValidationTypes, getMetadataStorage } from 'class-validator';
import { EventValidationError } from '../errors/event-validation.error.js';
import { globalState } from '../utils/global-state.util.js';
import { BASE_FIELD_NAMES, BASE_FIELDS, type DomainEvent } from './domain-event.js';
import type { EventClass } from './event-metadata.js';
import { getEventRegistry, type EventRegistry } from './event-registry.js';
import { validateEvent } from './event-validator.js';
import { UnknownEvent } from './unknown-event.js';

export type PayloadNaming = 'as-declared' | 'snake_case';

export interface EventCodecOptions {
  registry?: EventRegistry;
  /** How payload field names appear on the wire; base fields are always snake_case. */
  payloadNaming?: PayloadNaming;
}

const WIRE_BASE = new Map<string, string>(BASE_FIELDS.map(([camel, snake]) => [snake, camel]));
const PLAIN_TYPES = new Set<unknown>([String, Number, Boolean, Object, undefined]);

/** JSON wire body ⇄ event, through the registry. One codec serves every bus and store. */
export class EventCodec {
  readonly registry: EventRegistry;
  private readonly snakeCase: boolean;
  private readonly fieldKinds = new WeakMap<Function, Map<string, FieldKind>>();

  constructor(options: EventCodecOptions = {}) {
    this.registry = options.registry ?? getEventRegistry();
    this.snakeCase = options.payloadNaming === 'snake_case';
  }

  /** The wire body as an object (section 5 of the design). */
  toBody(event: DomainEvent): Record<string, unknown> {
    const body = event.toJSON() as Record<string, unknown>;
    if (!this.snakeCase) return body;
    const out: Record<string, unknown> = {};
    for (const key in body) out[WIRE_BASE.has(key) ? key : toSnake(key)] = body[key];
    return out;
  }

  encode(event: DomainEvent): string {
    return JSON.stringify(this.toBody(event));
  }

  /**
   * Parses and validates a wire body. Throws EventValidationError for anything malformed and
   * EventTypeNotFoundError for a type this registry does not know (see decodeOrUnknown).
   */
  decode(raw: string | Uint8Array | Record<string, unknown>, context?: string): DomainEvent {
    const body = parseBody(raw, context);
    return this.fromBody(body, this.registry.get(typeOf(body, context)), context);
  }

  /** Like decode, but a type unknown here becomes an UnknownEvent instead of an error. */
  decodeOrUnknown(raw: string | Uint8Array | Record<string, unknown>, context?: string): DomainEvent {
    const body = parseBody(raw, context);
    const type = typeOf(body, context);
    const cls = this.registry.getOrUndefined(type);
    if (cls) return this.fromBody(body, cls, context);
    // Base fields camelCased, everything else kept as it came, under `data`.
    const init: Record<string, unknown> = { eventType: type, data: {} };
    const data = init.data as Record<string, unknown>;
    for (const key in body) {
      const camel = WIRE_BASE.get(key);
      if (camel === undefined) data[key] = body[key];
      else if (camel !== 'eventType' && body[key] !== undefined) init[camel] = body[key];
    }
    return new UnknownEvent(init as never);
  }

  fromBody(body: Record<string, unknown>, cls: EventClass, context?: string): DomainEvent {
    // One constructor argument built in one pass: base fields under their camelCase names,
    // payload fields as declared, then Dates and nested classes revived in place.
    const init: Record<string, unknown> = {};
    const kinds = this.kindsOf(cls);
    let shaped: string[] | undefined;
    for (const key in body) {
      const value = body[key];
      const camel = WIRE_BASE.get(key);
      if (camel !== undefined) {
        if (camel !== 'eventType' && value !== undefined) init[camel] = value;
        continue;
      }
      const name = this.snakeCase ? toCamel(key) : key;
      // A payload key spelled like a base field never overrides the base field.
      if (BASE_FIELD_NAMES.has(name)) continue;
      init[name] = value;
      if ((kinds.get(name) ?? this.fieldKind(cls, name)) !== 'plain') (shaped ??= []).push(name);
    }
    if (shaped) this.revive(cls, init, shaped);
    const Ctor = cls as unknown as new (init: unknown) => DomainEvent;
    const event = new Ctor(init);
    validateEvent(event, context);
    return event;
  }

  /** Turns JSON values of `keys` back into Dates and nested classes, as the payload class declares them. */
  private revive(cls: EventClass, init: Record<string, unknown>, keys: readonly string[]): void {
    const state = globalState();
    state.blankConstruction = true;
    let shaped: Record<string, unknown>;
    try {
      const picked: Record<string, unknown> = {};
      for (const key of keys) picked[key] = init[key];
      shaped = plainToInstance(cls as never, picked) as Record<string, unknown>;
    } finally {
      state.blankConstruction = false;
    }
    for (const key of keys) init[key] = this.fieldKind(cls, key) === 'date' ? toDateIfValid(shaped[key]) : shaped[key];
  }

  /**
   * How a payload field is revived. A field is a Date when its design type is Date or it carries
   * @IsDate() (which has no @Type of its own); class-transformer handles @Type'd and class-typed
   * fields. Validation rules are consulted too, so builds without decorator metadata still work.
   */
  private kindsOf(cls: EventClass): Map<string, FieldKind> {
    let fields = this.fieldKinds.get(cls);
    if (!fields) this.fieldKinds.set(cls, (fields = new Map()));
    return fields;
  }

  private fieldKind(cls: EventClass, key: string): FieldKind {
    const fields = this.kindsOf(cls);
    let kind = fields.get(key);
    if (kind === undefined) {
      const designType = (Reflect as { getMetadata?: (k: string, t: object, p: string) => unknown }).getMetadata?.(
        'design:type',
        cls.prototype,
        key,
      );
      const rules = getMetadataStorage()
        .getTargetValidationMetadatas(cls, '', true, false)
        .filter((rule) => rule.propertyName === key);
      if (designType === Date || rules.some((rule) => rule.name === IS_DATE)) kind = 'date';
      // An array holds classes only when its elements are declared nested (@ValidateNested()
      // @Type(() => X)); a plain array of JSON values needs no class-transformer pass.
      else if (
        (designType !== Array && !PLAIN_TYPES.has(designType)) ||
        rules.some((rule) => rule.type === ValidationTypes.NESTED_VALIDATION)
      )
        kind = 'shaped';
      else kind = 'plain';
      fields.set(key, kind);
    }
    return kind;
  }
}

type FieldKind = 'plain' | 'date' | 'shaped';

/** A wire string or number becomes a Date; an unparseable one stays as it was, for validation to report. */
function toDateIfValid(value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}

function parseBody(raw: string | Uint8Array | Record<string, unknown>, context?: string): Record<string, unknown> {
  let body: unknown = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new EventValidationError(
        '(unparsed)',
        [{ field: '(body)', value: text.slice(0, 64), constraints: { isJson: `body is not valid JSON: ${(error as Error).message}` } }],
        context,
      );
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new EventValidationError(
      '(unparsed)',
      [{ field: '(body)', value: body, constraints: { isObject: 'body must be a JSON object' } }],
      context,
    );
  }
  return body as Record<string, unknown>;
}

function typeOf(body: Record<string, unknown>, context?: string): string {
  const type = body.event_type;
  if (typeof type !== 'string' || type.length === 0) {
    throw new EventValidationError(
      '(untyped)',
      [{ field: 'event_type', value: type, constraints: { isNotEmpty: 'event_type must be a non-empty string' } }],
      context,
    );
  }
  return type;
}

export function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
