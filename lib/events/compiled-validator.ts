import { ValidationTypes, getMetadataStorage, type ValidationArguments } from 'class-validator';

/**
 * A per-class precompiled form of class-validator's rules, used to prove an event valid without
 * running class-validator's generic executor (which re-reads the metadata storage and builds an
 * error tree for every object it checks: about 3 µs for a small event, on every consumed message).
 *
 * It calls the very same constraint functions with the same arguments, honouring conditions
 * (@IsOptional, @ValidateIf), `each`, per-rule `validateIf` and nested validation exactly as
 * `validateSync` does. It only answers "valid"; any doubt (a rule failed, a validator returned
 * a promise, a rule kind it does not know) answers "ask class-validator", which then produces
 * the authoritative result and the error messages. So a wrong "valid" is the only possible
 * mistake, and it would need a constraint that passes here and fails there on the same input.
 */
type Check = (object: Record<string, unknown>) => boolean;

interface RuleMetadata {
  type: string;
  propertyName: string;
  constraintCls: Function;
  constraints: unknown[];
  each?: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
}

interface ConstraintMetadata {
  async?: boolean;
  instance: { validate(value: unknown, args?: ValidationArguments): unknown };
}

interface MetadataStorageLike {
  getTargetValidationMetadatas(
    target: Function,
    schema: string | undefined,
    always: boolean,
    strictGroups: boolean,
    groups?: string[],
  ): RuleMetadata[];
  getTargetValidatorConstraints(target: Function): ConstraintMetadata[];
}

const compiled = new WeakMap<Function, Check | null>();

/** True when `object` certainly passes `validateSync(object, { forbidUnknownValues: false })`. */
export function provenValid(object: object): boolean {
  const ctor = (object as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function') return false;
  let check = compiled.get(ctor);
  if (check === undefined) {
    check = compile(ctor);
    compiled.set(ctor, check);
  }
  return check !== null && check(object as Record<string, unknown>);
}

/** null: the class uses a rule kind this does not mirror; class-validator checks it every time. */
function compile(target: Function): Check | null {
  const storage = getMetadataStorage() as unknown as MetadataStorageLike;
  // The arguments validateSync's executor passes for an object with default options.
  const rules = storage.getTargetValidationMetadatas(target, undefined, false, false, undefined);
  const byProperty = new Map<string, RuleMetadata[]>();
  for (const rule of rules) {
    if (rule.type === ValidationTypes.WHITELIST) continue;
    const known =
      rule.type === ValidationTypes.CUSTOM_VALIDATION ||
      rule.type === ValidationTypes.IS_DEFINED ||
      rule.type === ValidationTypes.CONDITIONAL_VALIDATION ||
      rule.type === ValidationTypes.NESTED_VALIDATION;
    if (!known) return null;
    const list = byProperty.get(rule.propertyName) ?? [];
    list.push(rule);
    byProperty.set(rule.propertyName, list);
  }
  const properties = [...byProperty].map(([property, list]) => compileProperty(target.name, property, list, storage));
  return (object) => {
    for (const check of properties) if (!check(object)) return false;
    return true;
  };
}

function compileProperty(targetName: string, property: string, rules: RuleMetadata[], storage: MetadataStorageLike): Check {
  const conditions = rules
    .filter((r) => r.type === ValidationTypes.CONDITIONAL_VALIDATION)
    .map((r) => r.constraints[0] as (o: object, v: unknown) => boolean);
  const nested = rules.some((r) => r.type === ValidationTypes.NESTED_VALIDATION);
  const customs = rules
    .filter((r) => r.type === ValidationTypes.CUSTOM_VALIDATION || r.type === ValidationTypes.IS_DEFINED)
    // validateSync ignores async constraints altogether.
    .map((rule) => ({ rule, validators: storage.getTargetValidatorConstraints(rule.constraintCls).filter((c) => !c.async) }));
  return (object) => {
    const value = object[property];
    for (const condition of conditions) if (!condition(object, value)) return true;
    for (const { rule, validators } of customs) {
      if (rule.validateIf && !rule.validateIf(object, value)) continue;
      if (validators.length === 0) continue;
      const args: ValidationArguments = { targetName, property, object, value, constraints: rule.constraints };
      const each = rule.each === true && isCollection(value);
      for (const validator of validators) {
        if (!each) {
          if (!passed(validator.instance.validate(value, args))) return false;
          continue;
        }
        for (const item of toArray(value)) if (!passed(validator.instance.validate(item, args))) return false;
      }
    }
    return !nested || nestedValid(value);
  };
}

/** A truthy result passes, as in class-validator; a promise is left to class-validator. */
function passed(result: unknown): boolean {
  return Boolean(result) && typeof (result as { then?: unknown }).then !== 'function';
}

/** class-validator's nested rule: collections item by item, objects by their own class's rules. */
function nestedValid(value: unknown): boolean {
  if (value === undefined) return true;
  if (isCollection(value)) {
    for (const item of toArray(value)) if (!nestedValid(item)) return false;
    return true;
  }
  return value instanceof Object && provenValid(value);
}

function isCollection(value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> {
  return Array.isArray(value) || value instanceof Set || value instanceof Map;
}

function toArray(value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] {
  if (Array.isArray(value)) return value;
  return value instanceof Map ? [...value.values()] : [...value];
}
