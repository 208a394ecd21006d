import { randomUUID } from 'node:crypto';
import { EventNotRegisteredError } from '../errors/event-not-registered.error.js';
import { EventValidationError, type FieldViolation } from '../errors/event-validation.error.js';
import { globalState } from '../utils/global-state.util.js';
import { isUuid } from '../utils/uuid.util.js';
import { ownEventMeta } from './event-metadata.js';

/** Keys every event has, in wire order, with their snake_case wire names. */
export const BASE_FIELDS = [
  ['eventId', 'event_id'],
  ['eventType', 'event_type'],
  ['eventVersion', 'event_version'],
  ['occurredAt', 'occurred_at'],
  ['aggregateId', 'aggregate_id'],
  ['aggregateType', 'aggregate_type'],
  ['aggregateVersion', 'aggregate_version'],
  ['tenantId', 'tenant_id'],
  ['actorId', 'actor_id'],
  ['correlationId', 'correlation_id'],
  ['causationId', 'causation_id'],
  ['metadata', 'metadata'],
] as const;

export const BASE_FIELD_NAMES: ReadonlySet<string> = new Set(BASE_FIELDS.map(([name]) => name));

/** The base fields a caller may pass; only aggregateId is required. */
export interface BaseEventInit {
  aggregateId: string;
  eventId?: string;
  eventVersion?: number;
  occurredAt?: Date | string;
  aggregateType?: string;
  aggregateVersion?: number;
  tenantId?: string | null;
  actorId?: string | null;
  correlationId?: string;
  causationId?: string | null;
  metadata?: Record<string, unknown>;
}

type BaseKey = keyof DomainEvent;
type DataKeys<T> = {
  [K in keyof T]: K extends BaseKey ? never : T[K] extends (...args: any[]) => any ? never : K;
}[keyof T];

/** The payload fields of an event class: its own data properties, not the base ones or methods. */
export type EventPayload<T> = { [K in DataKeys<T>]: T[K] };

/** What `new SomeEvent(...)` takes: the payload fields plus the base fields. */
export type EventInit<T> = EventPayload<T> & BaseEventInit;

/** The wire body (section 5 of the design): snake_case base fields, then the payload. */
export interface EventBody {
  event_id: string;
  event_type: string;
  event_version: number;
  occurred_at: string;
  aggregate_id: string;
  aggregate_type: string;
  aggregate_version: number;
  tenant_id: string | null;
  actor_id: string | null;
  correlation_id: string;
  causation_id: string | null;
  metadata: Record<string, unknown>;
  [payloadField: string]: unknown;
}

// Brand shared by both builds, so "is this an event?" never depends on class identity.
const EVENT_BRAND = Symbol.for('nestjs-eventsource.domain-event.v1');

export function isDomainEvent(value: unknown): value is DomainEvent {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[EVENT_BRAND] === true;
}

/**
 * An immutable fact about an aggregate. Subclass it with the class itself as type argument and
 * decorate the subclass with `@RegisterEvent()`:
 *
 *   @RegisterEvent() class OrderPlaced extends DomainEvent<OrderPlaced> { @IsString() readonly customerName!: string }
 */
export abstract class DomainEvent<Self = any> {
  declare readonly eventId: string;
  declare readonly eventType: string;
  declare readonly eventVersion: number;
  declare readonly occurredAt: Date;
  declare readonly aggregateId: string;
  declare readonly aggregateType: string;
  declare readonly aggregateVersion: number;
  declare readonly tenantId: string | null;
  declare readonly actorId: string | null;
  declare readonly correlationId: string;
  declare readonly causationId: string | null;
  declare readonly metadata: Readonly<Record<string, unknown>>;

  constructor(data: EventInit<Self>) {
    // class-transformer builds a blank instance while the codec revives payload types.
    if (globalState().blankConstruction) return;
    const meta = ownEventMeta(new.target);
    if (!meta) throw new EventNotRegisteredError(new.target.name);
    if (data === null || typeof data !== 'object') {
      throw new EventValidationError(meta.typeName, [
        { field: '(constructor argument)', value: data, constraints: { isObject: 'must be an object of event fields' } },
      ]);
    }
    const init = data as BaseEventInit & Record<string, unknown>;
    const violations: FieldViolation[] = [];
    const self = this as unknown as Record<string | symbol, unknown>;
    self.eventId =
      init.eventId === undefined ? randomUUID() : check(violations, 'eventId', init.eventId, isUuid, 'isUuid', 'must be a UUID string');
    self.eventType = meta.typeName;
    self.eventVersion = positiveInt(violations, 'eventVersion', init.eventVersion ?? 1);
    self.occurredAt = toDate(violations, init.occurredAt);
    self.aggregateId = check(violations, 'aggregateId', init.aggregateId, isUuid, 'isUuid', 'must be a UUID string (required)');
    self.aggregateType = check(
      violations,
      'aggregateType',
      init.aggregateType ?? (new.target as { aggregateType?: string }).aggregateType,
      isNonEmptyString,
      'isNotEmpty',
      'must be a non-empty string (pass aggregateType or declare static aggregateType on the class)',
    );
    self.aggregateVersion = positiveInt(violations, 'aggregateVersion', init.aggregateVersion ?? 1);
    self.tenantId = nullableUuid(violations, 'tenantId', init.tenantId);
    self.actorId = check(violations, 'actorId', init.actorId ?? null, isStringOrNull, 'isString', 'must be a string or null');
    self.correlationId =
      init.correlationId === undefined
        ? randomUUID()
        : check(violations, 'correlationId', init.correlationId, isUuid, 'isUuid', 'must be a UUID string');
    self.causationId = nullableUuid(violations, 'causationId', init.causationId);
    self.metadata = Object.freeze(
      Object.assign({}, check(violations, 'metadata', init.metadata ?? {}, isPlainObject, 'isObject', 'must be a plain object')),
    );
    if (violations.length > 0) throw new EventValidationError(meta.typeName, violations);
    assignPayload(this, init);
  }

  /** A copy caused by `cause`: same eventId, the cause's correlationId, causationId = cause.eventId. */
  withCausation(cause: DomainEvent): this {
    return this.copyWith({ correlationId: cause.correlationId, causationId: cause.eventId });
  }

  /** A copy whose metadata is this event's merged with `metadata`. */
  withMetadata(metadata: Record<string, unknown>): this {
    return this.copyWith({ metadata: { ...this.metadata, ...metadata } });
  }

  withAggregateVersion(aggregateVersion: number): this {
    return this.copyWith({ aggregateVersion });
  }

  /** The wire body: snake_case base fields in wire order, then the payload fields. */
  toJSON(): EventBody {
    const body: Record<string, unknown> = {
      event_id: this.eventId,
      event_type: this.eventType,
      event_version: this.eventVersion,
      occurred_at: this.occurredAt.toISOString(),
      aggregate_id: this.aggregateId,
      aggregate_type: this.aggregateType,
      aggregate_version: this.aggregateVersion,
      tenant_id: this.tenantId,
      actor_id: this.actorId,
      correlation_id: this.correlationId,
      causation_id: this.causationId,
      metadata: this.metadata,
    };
    for (const key of payloadKeys(this)) body[key] = (this as unknown as Record<string, unknown>)[key];
    return body as EventBody;
  }

  private copyWith(changes: Partial<BaseEventInit>): this {
    const Ctor = this.constructor as new (data: unknown) => this;
    return new Ctor({ ...this.copyInit(), ...changes });
  }

  /** The constructor argument that rebuilds this event; copies start from it. */
  protected copyInit(): Record<string, unknown> {
    const init: Record<string, unknown> = {};
    for (const key of Object.keys(this)) if (key !== 'eventType') init[key] = (this as unknown as Record<string, unknown>)[key];
    return init;
  }
}

// On the prototype, not on each instance: defining a symbol property per event changes its
// shape and costs more than the rest of the base fields together.
Object.defineProperty(DomainEvent.prototype, EVENT_BRAND, { value: true });

/** Own payload keys of an event instance (declared fields that hold a value). */
export function payloadKeys(event: object): string[] {
  return Object.keys(event).filter((key) => !BASE_FIELD_NAMES.has(key));
}

/**
 * Sets the payload fields. Called by the base constructor and again by @RegisterEvent's
 * wrapper, because with define semantics (useDefineForClassFields) the subclass's field
 * declarations reset them to undefined after the base constructor returned.
 */
export function assignPayload(target: object, init: Record<string, unknown>): void {
  const self = target as Record<string, unknown>;
  for (const key in init) {
    if (!BASE_FIELD_NAMES.has(key) && init[key] !== undefined) self[key] = init[key];
  }
}

function check<T>(
  violations: FieldViolation[],
  field: string,
  value: unknown,
  ok: (v: unknown) => boolean,
  rule: string,
  message: string,
): T {
  if (!ok(value)) violations.push({ field, value, constraints: { [rule]: `${field} ${message}` } });
  return value as T;
}

function positiveInt(violations: FieldViolation[], field: string, value: unknown): number {
  return check(violations, field, value, isPositiveInt, 'min', 'must be an integer >= 1');
}

function nullableUuid(violations: FieldViolation[], field: string, value: unknown): string | null {
  return check(violations, field, value ?? null, isUuidOrNull, 'isUuid', 'must be a UUID string or null');
}

function isPositiveInt(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1;
}

function isUuidOrNull(value: unknown): boolean {
  return value === null || isUuid(value);
}

function toDate(violations: FieldViolation[], value: unknown): Date {
  if (value === undefined) return new Date();
  const date = value instanceof Date ? new Date(value.getTime()) : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    violations.push({ field: 'occurredAt', value, constraints: { isDate: 'occurredAt must be a Date or an ISO-8601 string' } });
    return new Date(NaN);
  }
  return date;
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
