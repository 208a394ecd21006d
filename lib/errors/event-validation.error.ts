import { EventSourcingError } from './event-sourcing.error.js';

export interface FieldViolation {
  field: string;
  value: unknown;
  /** Rule name → message, as class-validator reports them. */
  constraints: Record<string, string>;
}

const preview = (value: unknown): string => {
  try {
    const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
};

/** An event (base field or payload) broke a validation rule. Lists every violated field. */
export class EventValidationError extends EventSourcingError {
  readonly violations: FieldViolation[];

  constructor(eventType: string, violations: FieldViolation[], context?: string) {
    const lines = violations.map(
      (v) => `  - ${v.field} = ${preview(v.value)}: ${Object.values(v.constraints).join('; ')}`,
    );
    super(`Invalid event ${eventType}${context ? ` (${context})` : ''}:\n${lines.join('\n')}`);
    this.violations = violations;
  }

  /** The first violated field: handy when only one rule can fail. */
  get field(): string | undefined {
    return this.violations[0]?.field;
  }

  get value(): unknown {
    return this.violations[0]?.value;
  }

  get rule(): string | undefined {
    const first = this.violations[0];
    return first ? Object.keys(first.constraints)[0] : undefined;
  }
}
